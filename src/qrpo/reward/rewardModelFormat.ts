// Which kind of reward model a folder holds: Hugging Face safetensors of a *ForSequenceClassification the engine
// builds (config.json + *.safetensors), or an exported ONNX sequence classifier (model.onnx, or onnx/model.onnx as
// optimum and transformers.js lay it out) with its tokenizer files beside it. Safetensors win when both are there
// and the engine knows the architecture, so the engine's own graph (and device) is used where it can be.
import { existsSync, promises as fs, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../errors';
import { SUPPORTED_ARCHITECTURES } from '../model';
import { displayPath } from '../run/displayPath';

export type RewardModelFormat = { kind: 'safetensors'; folder: string } | { kind: 'onnx'; folder: string; modelFile: string };

export const ONNX_MODEL_FILES = ['model.onnx', join('onnx', 'model.onnx')] as const;

export async function detectRewardModelFormat(folder: string): Promise<RewardModelFormat> {
  if (!isDirectory(folder)) {
    throw new ModelFormatError(`reward model not found: ${displayPath(folder)} is not a folder`, 'reward.path names a Hugging Face reward model folder (config.json, *.safetensors, tokenizer files) or an ONNX export (model.onnx or onnx/model.onnx, tokenizer files)');
  }
  const names = await fs.readdir(folder);
  const onnx = ONNX_MODEL_FILES.map((name) => join(folder, name)).find((file) => existsSync(file));
  const safetensors = names.some((name) => name.endsWith('.safetensors') || name === 'model.safetensors.index.json');
  if (safetensors && existsSync(join(folder, 'config.json'))) {
    if (onnx === undefined || SUPPORTED_ARCHITECTURES.includes(await architectureOf(folder))) return { kind: 'safetensors', folder };
  }
  if (onnx !== undefined) return { kind: 'onnx', folder, modelFile: onnx };
  if (safetensors) throw new ModelFormatError(`reward model ${displayPath(folder)} has safetensors weights but no config.json`);
  throw new ModelFormatError(
    `reward model ${displayPath(folder)} holds neither safetensors weights with a config.json nor an ONNX model (${ONNX_MODEL_FILES.join(' or ')})`,
    `It has ${names.length ? names.slice(0, 8).join(', ') + (names.length > 8 ? ', …' : '') : 'no files'}`,
  );
}

async function architectureOf(folder: string): Promise<string> {
  try {
    const config = JSON.parse(await fs.readFile(join(folder, 'config.json'), 'utf8')) as { architectures?: unknown };
    return Array.isArray(config.architectures) && typeof config.architectures[0] === 'string' ? config.architectures[0] : '';
  } catch {
    return '';
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
