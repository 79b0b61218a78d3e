// Tiny model folders for the family tests (written once per test file) and the token sequences they score.
import { join } from 'node:path';
import { type DecoderConfig, type ModelWeights, loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { type TinyModel, type TinyModelOptions, writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

export type TinyKind = 'gpt2' | 'gpt2-untied' | 'llama' | 'llama-tied' | 'qwen2' | 'mistral' | 'gpt2-reward' | 'llama-reward' | 'qwen2-reward';

export interface LoadedModel {
  readonly kind: TinyKind;
  readonly dir: string;
  readonly config: DecoderConfig;
  readonly weights: ModelWeights;
}

const root = temporaryFolder('qrpo-families-');

export async function tinyModel(kind: TinyKind, seed = 11): Promise<LoadedModel> {
  const dir = join(root, `${kind}-${seed}`);
  const base: TinyModelOptions = { seed };
  const reward = kind.endsWith('-reward') ? { head: 'sequence-classification' as const } : {};
  let written: TinyModel;
  if (kind.startsWith('gpt2')) written = await writeTinyGpt2(dir, { ...base, ...reward, ...(kind === 'gpt2-untied' ? { tied: false } : {}) });
  else {
    const variant = kind.split('-')[0] as 'llama' | 'qwen2' | 'mistral';
    written = await writeTinyLlama(dir, { ...base, ...reward, variant, ...(kind === 'llama-tied' ? { tied: true } : {}) });
  }
  await sharpen(dir, written);
  const config = await readDecoderConfig(dir);
  return { kind, dir, config, weights: await loadModelWeights(dir, config) };
}

/** Deterministic token sequences of varied lengths (ids below `vocab`), prompts of 1–4 tokens, completions 1–5. */
export function sequences(count: number, vocab: number, seed = 3): { prompt: number[]; completion: number[] }[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state;
  };
  return Array.from({ length: count }, () => {
    const prompt = Array.from({ length: 1 + (next() % 4) }, () => next() % vocab);
    const completion = Array.from({ length: 1 + (next() % 5) }, () => next() % vocab);
    return { prompt, completion };
  });
}

/**
 * Rewrites the weights 20× further from their init centre (std 0.4 instead of 0.02; norm scales 1 ± 0.2): with the
 * fixture's init the next-token distribution is nearly uniform and a wrong mask or rotation would barely show.
 */
async function sharpen(dir: string, model: TinyModel): Promise<void> {
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, { shape, data }] of model.tensors) {
    const isNormScale = /(norm|ln_\d|ln_f)\.weight$/.test(name);
    const centre = isNormScale ? 1 : 0;
    const scale = /\.attn\.(bias|masked_bias)$|inv_freq$/.test(name) ? 1 : 20;
    tensors[name] = { dtype: 'F32', shape, data: data.map((v) => centre + (v - centre) * scale) };
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}
