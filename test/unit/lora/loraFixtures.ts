// Adapters for the LoRA tests: a PEFT-initialised adapter on a tiny family model with B drawn at random (B = 0 makes
// the wrapped model equal the base and the gradient of A vanish, so most checks need B ≠ 0), and scoring helpers.
import { type LoraAdapter, type LoraConfigFields, initLoraAdapter, loraConfig } from '../../../src/qrpo/model/lora';
import type { ModelWeights, ParameterTensor } from '../../../src/qrpo/model';
import { type ModelGraph, type ScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { seededUniform } from '../../fixtures/models/seededRandom';
import type { LoadedModel } from '../families/familyFixtures';

export function adapterFor(model: LoadedModel, fields: Partial<LoraConfigFields> & Pick<LoraConfigFields, 'targetModules'>, seed = 5): LoraAdapter {
  return initLoraAdapter(model.config, loraConfig({ r: 4, alpha: 8, ...fields }), seed);
}

/** The same adapter with every B uniform in ±`scale` (A untouched). */
export function withRandomB(adapter: LoraAdapter, seed = 9, scale = 0.3): LoraAdapter {
  const uniform = seededUniform(seed);
  const weights = new Map<string, ParameterTensor>(adapter.weights);
  for (const [name, value] of adapter.weights) {
    if (name.endsWith('.lora_B.weight')) weights.set(name, { shape: value.shape, data: value.data.map(() => (2 * uniform() - 1) * scale) });
  }
  return { ...adapter, weights };
}

/** Runs a built graph once on a batch (plus extra feeds) and returns its outputs. */
export async function runOnce(model: ModelGraph, batch: ScoringBatch, feeds: Record<string, TensorValue> = {}): Promise<Record<string, TensorValue>> {
  const session = await GraphSession.create(model.graph);
  try {
    return await session.run({ ...scoringFeeds(batch), ...feeds });
  } finally {
    await session.release();
  }
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

export function parameterCount(weights: ModelWeights): number {
  return [...weights.values()].reduce((n, w) => n + w.data.length, 0);
}
