// A tiny model folder and a small preference dataset for the model-training tests: four (chosen, rejected) pairs and
// two single completions, scored by the starting model (so ref_logp is π_ref's own log-prob) and given QRPO targets
// from the math module (identity transform, exact log Z). Each setup() loads fresh weights: training updates the
// trainable arrays in place.
import { join } from 'node:path';
import type { PointwiseRecord } from '../../../src/qrpo/data';
import { logPartition, qrpoTarget } from '../../../src/qrpo/math';
import { loadModelWeights, readDecoderConfig } from '../../../src/qrpo/model';
import { buildScoringGraph, packScoringBatch, scoringFeeds, type TrainingLoss } from '../../../src/qrpo/model/graphs';
import { loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { type ModelTrainingSetup, type TrainingRecord, recordTokenizer, trainingExamples } from '../../../src/qrpo/train/modelTraining';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

export const BETA = 0.1;
export const REF_REWARDS = [0.1, 0.2, 0.2, 0.5, 0.9];
export const LOG_Z = logPartition('identity', BETA);

const root = temporaryFolder('qrpo-model-training-');

export type TinyFamily = 'gpt2' | 'llama';

export async function tinyModelFolder(family: TinyFamily): Promise<string> {
  const dir = join(root, family);
  if (family === 'gpt2') await writeTinyGpt2(dir, { seed: 5 });
  else await writeTinyLlama(dir, { seed: 5, variant: 'llama' });
  return dir;
}

const PAIRS: [prompt: string, chosen: string, rejected: string, chosenReward: number, rejectedReward: number][] = [
  ['the cat', ' sat on the mat', ' ran', 0.6, 0.05],
  ['one two', ' three four five', ' six', 0.95, 0.3],
  ['hello', ' world and friends', ' there', 0.2, 0.1],
  ['a b c', ' d e f g', ' x', 0.5, 0.2],
];
const SINGLES: [prompt: string, completion: string, reward: number][] = [
  ['red green', ' blue yellow', 0.8],
  ['up', ' down left right', 0.15],
];

export function records(): PointwiseRecord[] {
  const out: PointwiseRecord[] = [];
  let line = 0;
  const source = () => ({ file: 'train.jsonl', line: ++line, unit: 'line' as const });
  PAIRS.forEach(([prompt, chosen, rejected, rc, rr], pairId) => {
    const where = source();
    out.push({ prompt, completion: chosen, reward: rc, refRewards: REF_REWARDS, side: 'chosen', pairId, source: where });
    out.push({ prompt, completion: rejected, reward: rr, refRewards: REF_REWARDS, side: 'rejected', pairId, source: where });
  });
  for (const [prompt, completion, reward] of SINGLES) out.push({ prompt, completion, reward, refRewards: REF_REWARDS, source: source() });
  return out;
}

/** Records with target, quantile and f(q) (identity transform) and the starting model's log-prob as ref_logp. */
export async function trainingRecords(dir: string): Promise<TrainingRecord[]> {
  const config = await readDecoderConfig(dir);
  const tokens = recordTokenizer(await loadTokenizer(dir), config);
  const all = records();
  const session = await GraphSession.create(buildScoringGraph(config, await loadModelWeights(dir, config)).graph);
  const encoded = all.map((r) => tokens.encode(r));
  const out = await session.run(scoringFeeds(packScoringBatch(encoded.map((e) => ({ prompt: e.promptIds, completion: e.completionIds })), { padTokenId: tokens.padTokenId })));
  await session.release();
  return all.map((record, i) => {
    const target = qrpoTarget(REF_REWARDS, record.reward!, { transform: 'identity', beta: BETA });
    return { record, target: target.target, quantile: target.quantile, transformedReward: target.transformed, refLogp: Number(out.logp.data[i]) };
  });
}

/** A training setup on freshly loaded weights. */
export async function setup(dir: string, loss: TrainingLoss, prepared: readonly TrainingRecord[]): Promise<ModelTrainingSetup> {
  const config = await readDecoderConfig(dir);
  const tokens = recordTokenizer(await loadTokenizer(dir), config);
  const usable = loss.kind === 'qrpo' || loss.kind === 'sft' ? prepared : prepared.filter((r) => r.record.side !== undefined);
  return {
    config,
    weights: await loadModelWeights(dir, config),
    examples: trainingExamples(usable, loss.kind, tokens),
    settings: { loss, beta: BETA },
    metrics: { logZ: LOG_Z },
    padTokenId: tokens.padTokenId,
  };
}

export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), floor));
  return worst;
}

export function maxAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
