// PEFT adapter folders, as `PeftModel.save_pretrained` writes them and `PeftModel.from_pretrained` reads them:
// adapter_config.json (LoraConfig's fields) and adapter_model.safetensors with one tensor per A and B named
// `base_model.model.<HF module path>.lora_A.weight` (PEFT's get_peft_model_state_dict drops the adapter name
// "default"), e.g. `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight`. Loading checks the config,
// every name and every shape against the base model, and names the file in each error.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError, QrpoError } from '../../errors';
import { writeFileAtomic } from '../../run/atomicFile';
import type { DecoderConfig } from '../config';
import { SafetensorsFile } from '../safetensors';
import { writeSafetensors, type WritableTensor } from '../safetensorsWriter';
import type { ParameterTensor } from '../weights';
import { type LoraAdapter, loraAName, loraAdapter, loraBName, loraParameters } from './loraAdapter';
import { type LoraConfig, type LoraTarget, checkLoraFields, isAllLinear, loraTargets } from './loraConfig';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
const PEFT_PREFIX = 'base_model.model.';

/** The name PEFT saves a target's A or B under. */
export function peftTensorName(target: Pick<LoraTarget, 'peftModule'>, matrix: 'A' | 'B'): string {
  return `${PEFT_PREFIX}${target.peftModule}.lora_${matrix}.weight`;
}

export interface SaveLoraOptions {
  /** `base_model_name_or_path`: the base model's Hub id or folder, which PeftModel.from_pretrained loads first. */
  readonly baseModelNameOrPath: string;
  /** Default true, as save_pretrained writes it. */
  readonly inferenceMode?: boolean;
}

/** The adapter_config.json PEFT would write for this adapter (target_modules resolved to names, as PEFT saves them). */
export function peftAdapterConfig(model: DecoderConfig, adapter: LoraAdapter, options: SaveLoraOptions): Record<string, unknown> {
  const { config } = adapter;
  const targetModules = isAllLinear(config.targetModules)
    ? [...new Set(adapter.targets.map((t) => t.module.split('.').pop()!))].sort()
    : config.targetModules;
  return {
    peft_type: 'LORA',
    task_type: model.head === 'sequence-classification' ? 'SEQ_CLS' : 'CAUSAL_LM',
    base_model_name_or_path: options.baseModelNameOrPath,
    revision: null,
    inference_mode: options.inferenceMode ?? true,
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    target_modules: targetModules,
    bias: 'none',
    // PEFT sets fan_in_fan_out for Conv1D targets itself (with a warning when the config says otherwise).
    fan_in_fan_out: model.family === 'gpt2',
    modules_to_save: null,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/** Writes adapter_model.safetensors, then adapter_config.json, each atomically, into `folder`. */
export async function saveLoraAdapter(folder: string, model: DecoderConfig, adapter: LoraAdapter, options: SaveLoraOptions): Promise<void> {
  const tensors: Record<string, WritableTensor> = {};
  for (const target of adapter.targets) {
    for (const matrix of ['A', 'B'] as const) {
      const value = adapter.weights.get(matrix === 'A' ? loraAName(target.module) : loraBName(target.module))!;
      tensors[peftTensorName(target, matrix)] = { dtype: 'F32', shape: value.shape, data: value.data };
    }
  }
  await writeSafetensors(join(folder, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  await writeFileAtomic(join(folder, ADAPTER_CONFIG_FILE), `${JSON.stringify(peftAdapterConfig(model, adapter, options), null, 2)}\n`);
}

/** Reads a PEFT LoRA adapter folder for `model`, checking it completely before returning. */
export async function loadLoraAdapter(folder: string, model: DecoderConfig): Promise<LoraAdapter> {
  const configPath = join(folder, ADAPTER_CONFIG_FILE);
  const config = parseAdapterConfig(configPath, await readJson(configPath), model);
  const targets = withFile(configPath, () => loraTargets(model, config));
  const weightsPath = join(folder, ADAPTER_WEIGHTS_FILE);
  if (!(await exists(weightsPath)) && (await exists(join(folder, 'adapter_model.bin')))) {
    throw new ModelFormatError(`${folder} holds adapter_model.bin (a pickle), which is not read`, 'Save the adapter with safe_serialization=True (the default) to get adapter_model.safetensors');
  }
  const file = await SafetensorsFile.open(weightsPath);
  const expected = new Map<string, { target: LoraTarget; matrix: 'A' | 'B' }>();
  for (const target of targets) for (const matrix of ['A', 'B'] as const) expected.set(peftTensorName(target, matrix), { target, matrix });
  for (const name of file.names()) if (!expected.has(name)) throw unexpectedTensor(weightsPath, name, model, config, targets);

  const layout = { config, targets };
  const shapes = new Map(loraParameters(layout).map((s) => [s.name, s]));
  const weights = new Map<string, ParameterTensor>();
  for (const [name, { target, matrix }] of expected) {
    const info = file.info(name);
    const canonical = matrix === 'A' ? loraAName(target.module) : loraBName(target.module);
    const spec = shapes.get(canonical)!;
    if (!info) throw new ModelFormatError(`${weightsPath} has no tensor "${name}", which target_modules ${JSON.stringify(config.targetModules)} implies`);
    if (info.shape.length !== 2 || info.shape[0] !== spec.shape[0] || info.shape[1] !== spec.shape[1]) {
      throw new ModelFormatError(
        `${weightsPath}: tensor "${name}" has shape [${info.shape.join(', ')}], but r = ${config.r} and ${target.peftModule} ` +
          `(${target.inFeatures} in, ${target.outFeatures} out) imply ${spec.shapeInConfigTerms} = [${spec.shape.join(', ')}]`,
        'Check that the adapter was trained on this base model',
      );
    }
    weights.set(canonical, { shape: spec.shape, data: await file.readFloat32(name) });
  }
  return loraAdapter(layout, weights);
}

/** adapter_config.json → LoraConfig, refusing the PEFT options this engine does not implement. */
function parseAdapterConfig(path: string, json: unknown, model: DecoderConfig): LoraConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(`${path} is not a JSON object`);
  const c = json as Record<string, unknown>;
  const fail = (message: string, hint?: string) => new ModelFormatError(`${path}: ${message}`, hint);
  if (c.peft_type !== 'LORA') throw fail(`peft_type is ${JSON.stringify(c.peft_type)}, but only "LORA" adapters are read`);
  const expectedTask = model.head === 'sequence-classification' ? 'SEQ_CLS' : 'CAUSAL_LM';
  if (c.task_type != null && c.task_type !== expectedTask) {
    throw fail(`task_type is ${JSON.stringify(c.task_type)}, but the base model ${model.architecture} needs ${expectedTask}`);
  }
  const unsupported: [boolean, string][] = [
    [c.use_dora === true, 'use_dora (DoRA)'],
    [c.use_rslora === true, 'use_rslora (scaling alpha/√r)'],
    [c.lora_bias === true, 'lora_bias'],
    [nonEmpty(c.rank_pattern), 'rank_pattern (per-module ranks)'],
    [nonEmpty(c.alpha_pattern), 'alpha_pattern (per-module alphas)'],
    [c.layers_to_transform != null, 'layers_to_transform'],
    [Array.isArray(c.modules_to_save) ? c.modules_to_save.length > 0 : c.modules_to_save != null, 'modules_to_save (fully trained extra modules)'],
    [c.use_alora === true, 'aLoRA'],
  ];
  const found = unsupported.filter(([on]) => on).map(([, what]) => what);
  if (found.length > 0) throw fail(`sets ${found.join(', ')}, which is not supported`);
  if (typeof c.r !== 'number') throw fail(`r is ${JSON.stringify(c.r)}, not a number`);
  if (typeof c.lora_alpha !== 'number') throw fail(`lora_alpha is ${JSON.stringify(c.lora_alpha)}, not a number`);
  const targetModules = c.target_modules;
  if (!(typeof targetModules === 'string' || Array.isArray(targetModules))) {
    throw fail(`target_modules is ${JSON.stringify(targetModules)}; a list of module names, a regular expression or "all-linear" is needed`);
  }
  return withFile(path, () =>
    checkLoraFields({
      r: c.r as number,
      alpha: c.lora_alpha as number,
      dropout: typeof c.lora_dropout === 'number' ? c.lora_dropout : 0,
      targetModules: targetModules as string[] | string,
      bias: typeof c.bias === 'string' ? c.bias : 'none',
    }),
  );
}

function unexpectedTensor(path: string, name: string, model: DecoderConfig, config: LoraConfig, targets: readonly LoraTarget[]): ModelFormatError {
  const match = /^base_model\.model\.(.+)\.lora_[AB]\.weight$/.exec(name);
  if (!match) return new ModelFormatError(`${path} holds "${name}", which is not a LoRA tensor PEFT writes (base_model.model.<module>.lora_A/B.weight)`);
  const module = match[1];
  const known = loraTargets(model, { targetModules: 'all-linear' }).some((t) => t.peftModule === module);
  return known
    ? new ModelFormatError(`${path} holds "${name}" for module ${module}, which target_modules ${JSON.stringify(config.targetModules)} does not select`, `The adapter wraps ${targets.length} modules`)
    : new ModelFormatError(`${path} holds "${name}" for module ${module}, which the base model ${model.architecture} does not have`, 'Check that the adapter was trained on this base model');
}

/** Reruns `f`, prefixing a user-facing error with the file it came from. */
function withFile<T>(path: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof QrpoError) throw new ModelFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

function nonEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelFormatError(`${path} does not exist`, 'A PEFT adapter folder holds adapter_config.json and adapter_model.safetensors');
    throw error;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
