// Training checkpoints as Hugging Face folders, `<run>/checkpoint-<step>/`: config.json, model.safetensors (every
// weight under its HF name, so from_pretrained loads the folder), the source model's tokenizer files,
// optimizer.safetensors (AdamW moments) and trainer_state.json (HF's fields plus what an exact resume needs: random
// state, data order position, schedule). A checkpoint is written into a hidden temporary sibling, each file flushed,
// then renamed into place: a crash leaves either no checkpoint-<step> or a complete one, and the stray temporary
// folder is removed by the next save or resume.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../errors';
import { SafetensorsFile } from '../model/safetensors';
import { writeSafetensors } from '../model/safetensorsWriter';
import type { WritableDtype, WritableTensor } from '../model/safetensorsWriter';
import { writeFileAtomic } from '../run/atomicFile';
import type { AdamW } from './adamw';
import type { RandomState } from './random';
import type { ScheduleName } from './schedule';

export const CHECKPOINT_PREFIX = 'checkpoint-';
export const TRAINER_STATE_NAME = 'trainer_state.json';
export const OPTIMIZER_NAME = 'optimizer.safetensors';
export const MODEL_NAME = 'model.safetensors';

/** Files save_pretrained of a tokenizer (and generation config) writes; copied from the source model when present. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'generation_config.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
  'chat_template.jinja',
] as const;

const CHECKPOINT_FOLDER = /^checkpoint-(\d+)$/;
/** Temporary folders of saves in progress (`.tmp-`) and replaced checkpoints being deleted (`.old-`). */
const STRAY_FOLDER = /^\.checkpoint-\d+\.(tmp|old)-/;
const OPTIMIZER_FORMAT = 'qrpo-adamw-1';

/** One logged step, with TRL's metric names (loss, grad_norm, learning_rate, epoch, step, num_tokens, rewards/…). */
export type LogEntry = Readonly<Record<string, number>>;

/** trainer_state.json: HF Trainer's fields (snake_case, as it writes them) and, under `qrpo`, the resume state. */
export interface TrainerState {
  readonly global_step: number;
  readonly epoch: number;
  readonly max_steps: number;
  readonly num_train_epochs: number;
  readonly logging_steps: number;
  readonly save_steps: number;
  readonly train_batch_size: number;
  readonly num_input_tokens_seen: number;
  readonly best_metric: number | null;
  readonly best_model_checkpoint: string | null;
  readonly log_history: readonly LogEntry[];
  readonly qrpo: ResumeState;
}

export interface ResumeState {
  readonly seed: number;
  /** The state of the generator handed to micro-batches, after this step. */
  readonly rng: RandomState;
  /** Data order: epoch e is a shuffle from stream e of the seed; `microBatches` of it have been consumed. */
  readonly data: { readonly epoch: number; readonly microBatches: number; readonly shuffle: boolean };
  readonly schedule: { readonly name: ScheduleName; readonly base_learning_rate: number; readonly total_steps: number; readonly warmup_steps: number };
  /** Metrics summed since the last log line, so a resumed run logs the same averages. */
  readonly log_window: { readonly steps: number; readonly sums: Readonly<Record<string, number>> };
}

export interface CheckpointModel {
  /** HF tensor name → shape and values for every weight save_pretrained would write (trainable and frozen). */
  readonly weights: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: Float32Array }>;
  /** The folder the run's model came from: config.json and tokenizer files are copied from it. */
  readonly sourceFolder?: string;
  /** config.json's contents, where there is no source folder or it should be overridden. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Stored dtype of the weights (default F32; F16/BF16 round to nearest even, and a resume then is not exact). */
  readonly dtype?: WritableDtype;
  /** The file `weights` go to (default model.safetensors); a LoRA run saves its A and B as adapter_model.safetensors. */
  readonly weightsFile?: string;
}

export interface SaveCheckpointOptions {
  readonly runDir: string;
  readonly model: CheckpointModel;
  readonly optimizer: AdamW;
  readonly trainerState: TrainerState;
  /** Keep only the newest N checkpoints (`save_total_limit`); default all. */
  readonly saveTotalLimit?: number;
  /** Called after each file lands in the temporary folder; tests throw here to simulate a crash mid-save. */
  readonly afterFile?: (name: string) => void | Promise<void>;
  /** Writes more files into the temporary folder (a PEFT adapter_config.json, merged weights) before it is renamed. */
  readonly extraFiles?: (folder: string) => Promise<void>;
}

export interface CheckpointLocation {
  readonly path: string;
  readonly step: number;
}

/** Writes `<runDir>/checkpoint-<global_step>/` atomically and returns its path. */
export async function saveCheckpoint(options: SaveCheckpointOptions): Promise<string> {
  const { runDir, model, optimizer, trainerState, afterFile } = options;
  const weightsFile = model.weightsFile ?? MODEL_NAME;
  const step = trainerState.global_step;
  await fs.mkdir(runDir, { recursive: true });
  await removeStrayFolders(runDir);
  const final = join(runDir, `${CHECKPOINT_PREFIX}${step}`);
  const temporary = join(runDir, `.${CHECKPOINT_PREFIX}${step}.tmp-${uniqueSuffix()}`);
  await fs.mkdir(temporary);
  const landed = async (name: string) => afterFile?.(name);
  try {
    const config = model.config ?? (model.sourceFolder ? await readJsonObject(join(model.sourceFolder, 'config.json')) : undefined);
    if (config) {
      await writeFileAtomic(join(temporary, 'config.json'), JSON.stringify(config, null, 2) + '\n');
      await landed('config.json');
    }
    await writeSafetensors(join(temporary, weightsFile), modelTensors(model), { format: 'pt' });
    await landed(weightsFile);
    for (const name of model.sourceFolder ? TOKENIZER_FILES : []) {
      const content = await fs.readFile(join(model.sourceFolder!, name)).catch(() => undefined);
      if (content === undefined) continue;
      await writeFileAtomic(join(temporary, name), content);
      await landed(name);
    }
    await options.extraFiles?.(temporary);
    await writeSafetensors(join(temporary, OPTIMIZER_NAME), optimizerTensors(optimizer), optimizerMetadata(optimizer));
    await landed(OPTIMIZER_NAME);
    // Last, so that even a folder copied by hand without the rename is only trusted once this is there.
    await writeFileAtomic(join(temporary, TRAINER_STATE_NAME), JSON.stringify(trainerState, null, 2) + '\n');
    await landed(TRAINER_STATE_NAME);
    await syncFolder(temporary);
    await moveIntoPlace(runDir, temporary, final, step);
  } catch (error) {
    await fs.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  if (options.saveTotalLimit !== undefined) await removeOldCheckpoints(runDir, options.saveTotalLimit);
  return final;
}

/** The newest complete checkpoint in `runDir` (its weights in `weightsFile`), or undefined when there is none. */
export async function latestCheckpoint(runDir: string, options: { weightsFile?: string } = {}): Promise<CheckpointLocation | undefined> {
  for (const checkpoint of (await listCheckpoints(runDir)).reverse()) {
    const state = await readJsonObject(join(checkpoint.path, TRAINER_STATE_NAME)).catch(() => undefined);
    const model = await fs.stat(join(checkpoint.path, options.weightsFile ?? MODEL_NAME)).catch(() => undefined);
    if (state && typeof state.global_step === 'number' && model?.isFile()) return checkpoint;
  }
  return undefined;
}

/** Every `checkpoint-<step>` folder in `runDir`, oldest first. */
export async function listCheckpoints(runDir: string): Promise<CheckpointLocation[]> {
  const entries = await fs.readdir(runDir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && CHECKPOINT_FOLDER.test(e.name))
    .map((e) => ({ path: join(runDir, e.name), step: Number(CHECKPOINT_FOLDER.exec(e.name)![1]) }))
    .sort((a, b) => a.step - b.step);
}

export interface LoadCheckpointOptions {
  /** The trainable parameters, restored in place. */
  readonly parameters: ReadonlyMap<string, Float32Array>;
  /** Parameter name → HF tensor name in model.safetensors (default: the same name). */
  readonly tensorName?: (name: string) => string;
  /** Restored in place: moments and step count. */
  readonly optimizer?: AdamW;
  /** Where the parameters are (default model.safetensors). */
  readonly weightsFile?: string;
}

/** Restores parameters and optimizer state in place from a checkpoint folder and returns its trainer state. */
export async function loadCheckpoint(folder: string, options: LoadCheckpointOptions): Promise<TrainerState> {
  const state = (await readJsonObject(join(folder, TRAINER_STATE_NAME))) as unknown as TrainerState;
  if (typeof state.global_step !== 'number' || typeof state.qrpo !== 'object') {
    throw new ModelFormatError(`${join(folder, TRAINER_STATE_NAME)} has no global_step or qrpo resume state`, 'It was not written by this trainer');
  }
  const weights = await SafetensorsFile.open(join(folder, options.weightsFile ?? MODEL_NAME));
  const tensorName = options.tensorName ?? ((name: string) => name);
  for (const [name, values] of options.parameters) {
    copyInto(values, await weights.readFloat32(tensorName(name)), `${weights.path} "${tensorName(name)}"`);
  }
  if (options.optimizer) await restoreOptimizer(join(folder, OPTIMIZER_NAME), options.optimizer);
  return state;
}

/** Deletes temporary folders left by a save that crashed (one trainer writes a run folder at a time). */
export async function removeStrayFolders(runDir: string): Promise<void> {
  const entries = await fs.readdir(runDir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory() && STRAY_FOLDER.test(entry.name)) await fs.rm(join(runDir, entry.name), { recursive: true, force: true });
  }
}

function modelTensors(model: CheckpointModel): Record<string, WritableTensor> {
  const tensors: Record<string, WritableTensor> = {};
  for (const [name, { shape, data }] of model.weights) tensors[name] = { dtype: model.dtype ?? 'F32', shape, data };
  return tensors;
}

function optimizerTensors(optimizer: AdamW): Record<string, WritableTensor> {
  const tensors: Record<string, WritableTensor> = {};
  for (const [name, { expAvg, expAvgSq }] of optimizer.state) {
    tensors[`${name}.exp_avg`] = { dtype: 'F32', shape: [expAvg.length], data: expAvg };
    tensors[`${name}.exp_avg_sq`] = { dtype: 'F32', shape: [expAvgSq.length], data: expAvgSq };
  }
  return tensors;
}

function optimizerMetadata(optimizer: AdamW): Record<string, string> {
  return {
    format: OPTIMIZER_FORMAT,
    step: String(optimizer.stepCount),
    lr: String(optimizer.lr),
    betas: JSON.stringify(optimizer.betas),
    eps: String(optimizer.eps),
    weight_decay: String(optimizer.weightDecay),
  };
}

async function restoreOptimizer(path: string, optimizer: AdamW): Promise<void> {
  const file = await SafetensorsFile.open(path);
  if (file.metadata.format !== OPTIMIZER_FORMAT) throw new ModelFormatError(`${path} is not an optimizer state written by this trainer`);
  for (const [name, { expAvg, expAvgSq }] of optimizer.state) {
    copyInto(expAvg, await file.readFloat32(`${name}.exp_avg`), `${path} "${name}.exp_avg"`);
    copyInto(expAvgSq, await file.readFloat32(`${name}.exp_avg_sq`), `${path} "${name}.exp_avg_sq"`);
  }
  optimizer.stepCount = Number(file.metadata.step);
}

function copyInto(target: Float32Array, source: Float32Array, what: string): void {
  if (source.length !== target.length) throw new ModelFormatError(`${what} has ${source.length} values, the model expects ${target.length}`);
  target.set(source);
}

/** Renames the finished temporary folder to its final name, replacing a checkpoint of the same step if any. */
async function moveIntoPlace(runDir: string, temporary: string, final: string, step: number): Promise<void> {
  const existing = await fs.stat(final).catch(() => undefined);
  if (existing) {
    // A directory cannot be renamed over a non-empty one: move the old aside (a stray name, cleaned if we crash here).
    const old = join(runDir, `.${CHECKPOINT_PREFIX}${step}.old-${uniqueSuffix()}`);
    await fs.rename(final, old);
    await fs.rename(temporary, final);
    await fs.rm(old, { recursive: true, force: true });
  } else {
    await fs.rename(temporary, final);
  }
  await syncFolder(runDir);
}

async function removeOldCheckpoints(runDir: string, keep: number): Promise<void> {
  const checkpoints = await listCheckpoints(runDir);
  for (const checkpoint of checkpoints.slice(0, Math.max(0, checkpoints.length - Math.max(1, keep)))) {
    await fs.rm(checkpoint.path, { recursive: true, force: true });
  }
}

/** fsync of a directory makes the names (and renames) in it durable on Linux; elsewhere it may be unsupported. */
async function syncFolder(path: string): Promise<void> {
  const handle = await fs.open(path, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const text = await fs.readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ModelFormatError(`${path} is not a JSON object`);
  return json as Record<string, unknown>;
}

function uniqueSuffix(): string {
  return `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
