// Run folders for the results panels' tests, written into a temporary folder in the format the engine writes: a
// run.json, metrics.jsonl, the quantiles stage's prepared file and summary, the scored reference samples, and
// evals/<step>/{summary.json,samples.jsonl} for step 0 and two checkpoints. Every evaluation number comes from
// the engine's own evaluationStatistics on synthetic per-token log-probs, so the summaries are what a real run
// would write for those samples. A DPO run learns "longer is better" (its implicit reward rises with length), the
// QRPO run does not, as in the paper's Figure 4. Also a dataset with two invalid rows for the preview.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promptKey } from '../../src/qrpo/data/promptKey';
import type { EvalSampleRow, EvalSummary } from '../../src/qrpo/eval/evaluateCheckpoint';
import { evalSplitOf } from '../../src/qrpo/eval/evalSplit';
import { evaluationStatistics, type SampleScores } from '../../src/qrpo/eval/evalStatistics';
import { logPartition } from '../../src/qrpo/math/partition';
import { qrpoTarget } from '../../src/qrpo/math/targets';
import { mulberry32, round } from '../fixtures/workspace/fixtureRandom';

export const resultsFixture = {
  /** Held-out prompts per evaluation, and samples per prompt: 240 rows, ten pages of the samples table. */
  evalPrompts: 60,
  samplesPerPrompt: 4,
  referenceSamples: 8,
  trainPrompts: 24,
  steps: [0, 50, 100],
  /** Completions of every 7th sample mention this word, for the search test. */
  searchWord: 'saffron',
  /** The dataset for the preview: rows, and the lines (1-based) of its two invalid rows. */
  datasetRows: 130,
  invalidRewardLine: 57,
  invalidJsonLine: 90,
} as const;

export interface ResultsFixture {
  readonly root: string;
  readonly qrpoRun: string;
  readonly dpoRun: string;
  readonly dataset: string;
}

export function writeResultsFixture(): ResultsFixture {
  const root = mkdtempSync(join(tmpdir(), 'qrpo-results-'));
  const qrpoRun = writeRun(join(root, 'qrpo-beta-0.1'), 'qrpo', 11);
  const dpoRun = writeRun(join(root, 'dpo-beta-0.1'), 'dpo', 12);
  const dataset = join(root, 'helpfulness-with-errors.jsonl');
  writeDataset(dataset);
  return { root, qrpoRun, dpoRun, dataset };
}

type Loss = 'qrpo' | 'dpo';

function writeRun(folder: string, loss: Loss, seed: number): string {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const beta = 0.1;
  const n = resultsFixture.referenceSamples;
  mkdirSync(join(folder, 'stages', 'quantiles'), { recursive: true });
  mkdirSync(join(folder, 'stages', 'reward_scoring'), { recursive: true });
  writeJson(join(folder, 'run.json'), {
    config: {
      run_name: folder.split('/').pop(),
      loss_type: loss,
      beta,
      qrpo_transform_type: 'identity',
      log_z: 'exact',
      num_ref_rewards: n,
      reference_sampling: { num_samples: n, temperature: 1, top_p: 1, top_k: 0, max_new_tokens: 96 },
      eval: { num_prompts: resultsFixture.evalPrompts, samples_per_prompt: resultsFixture.samplesPerPrompt, checkpoints: 'all', selection_split: 0.5 },
    },
    engineVersion: '0.1.0',
    createdAt: '2025-11-20T10:00:00.000Z',
  });
  writeJson(join(folder, 'status.json'), { state: 'done', stage: 'evaluation', step: 100, totalSteps: 100, stages: [], pid: 1, updatedAt: '2025-11-20T11:00:00.000Z' });
  const metrics = Array.from({ length: 10 }, (_, i) => ({ step: (i + 1) * 10, loss: 0.5 * Math.exp(-i / 4) + 0.05 * random(), completion_length: 60 + (loss === 'dpo' ? 3 * i : 0.3 * i) }));
  writeFileSync(join(folder, 'metrics.jsonl'), metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));

  // Prompts with their reference samples: rewards and lengths drawn once, shared by every checkpoint's evaluation.
  const prompts = Array.from({ length: resultsFixture.evalPrompts + resultsFixture.trainPrompts }, (_, i) => {
    const prompt = `Question ${i + 1}: how should step ${i + 1} of the recipe be explained?`;
    const refRewards = Array.from({ length: n }, () => round(normal()));
    const refLengths = Array.from({ length: n }, () => Math.max(8, Math.round(60 + 15 * normal())));
    return { prompt, key: promptKey(prompt), refRewards, refLengths };
  });
  const referenceLines = prompts.flatMap((p) =>
    p.refRewards.map((reward, s) => ({ prompt_key: p.key, prompt: p.prompt, completion: `Reference ${s + 1}.`, logp: -1.5 * p.refLengths[s], num_tokens: p.refLengths[s], finish_reason: 'stop', sample_index: s, seed: seed, reward })),
  );
  writeLines(join(folder, 'stages', 'reward_scoring', 'reference_samples.jsonl'), referenceLines);

  // The training records' quantiles and targets, as the quantiles stage writes them (run/preparedFile.ts).
  const trainPrompts = prompts.slice(resultsFixture.evalPrompts);
  const prepared = trainPrompts.flatMap((p) =>
    [0.6, -0.3].map((shift, side) => {
      const reward = round(shift + normal());
      const t = qrpoTarget(p.refRewards, reward, { transform: 'identity', beta });
      return { prompt: p.prompt, completion: `Answer (${side ? 'rejected' : 'chosen'}).`, reward, ref_rewards: p.refRewards, side: side ? 'rejected' : 'chosen', pair_id: 0, quantile: t.quantile, transformed_reward: t.transformed, target: t.target };
    }),
  );
  const preparedFile = join(folder, 'stages', 'quantiles', 'train.prepared.jsonl');
  writeLines(preparedFile, prepared);
  writeJson(join(folder, 'stages', 'quantiles', 'train.prepared.summary.json'), {
    dataset: join(folder, 'stages', 'reward_scoring', 'scored.jsonl'),
    records: prepared.length,
    invalid: 0,
    prompts: trainPrompts.length,
    beta,
    transform: 'identity',
    numRef: n,
    logZMode: 'exact',
    logZ: logPartition('identity', beta, { mode: 'exact' }),
    meanQuantile: prepared.reduce((a, r) => a + r.quantile, 0) / prepared.length,
    meanTarget: prepared.reduce((a, r) => a + r.target, 0) / prepared.length,
    pushedUpShare: prepared.filter((r) => r.target > 0).length / prepared.length,
    histogram: [],
  });

  const evalPrompts = prompts.slice(0, resultsFixture.evalPrompts);
  for (const step of resultsFixture.steps) writeEvaluation(folder, step, loss, evalPrompts, random, normal);
  return folder;
}

function writeEvaluation(
  folder: string,
  step: number,
  loss: Loss,
  prompts: readonly { prompt: string; key: string; refRewards: number[]; refLengths: number[] }[],
  random: () => number,
  normal: () => number,
): void {
  const progress = step / 100;
  const scores: SampleScores[] = [];
  const meta: { prompt: number; sample: number }[] = [];
  for (const [p, prompt] of prompts.entries()) {
    const split = evalSplitOf(prompt.key, 0.5);
    for (let s = 0; s < resultsFixture.samplesPerPrompt; s++) {
      const length = Math.max(6, Math.round(60 + (loss === 'dpo' ? 20 * progress : 0) + 15 * normal()));
      const lengthZ = (length - 60) / 15;
      // The implicit reward the policy puts on its own sample: 0 before training; DPO's grows with length.
      const implicit = step === 0 ? 0 : progress * ((loss === 'dpo' ? 1.5 * lengthZ : -0.2 * lengthZ) + 0.8 * normal());
      const refTokenLogps = Array.from({ length }, () => -0.5 - 2 * random());
      const policyTokenLogps = refTokenLogps.map((l) => l + implicit / length);
      scores.push({ split, reward: round(progress * (loss === 'qrpo' ? 0.8 : 0.6) + normal()), length, policyTokenLogps, refTokenLogps, refRewards: prompt.refRewards, refLengths: prompt.refLengths });
      meta.push({ prompt: p, sample: s });
    }
  }
  const statistics = evaluationStatistics(scores, meta.map((m) => m.prompt));
  const rows: EvalSampleRow[] = scores.map((score, i) => {
    const { prompt, sample } = meta[i];
    const stats = statistics.samples[i];
    const word = i % 7 === 0 ? ` with a pinch of ${resultsFixture.searchWord}` : '';
    return {
      prompt_key: prompts[prompt].key,
      prompt: prompts[prompt].prompt,
      sample_index: sample,
      completion: `Step ${prompt + 1}, take ${sample + 1}: explain the order of the work${word}.`,
      finish_reason: score.length > 90 ? 'length' : 'stop',
      split: score.split,
      reward: score.reward,
      quantile: stats.quantile,
      length: score.length,
      length_z: stats.lengthZ,
      logp_policy: stats.logpPolicy,
      logp_ref: stats.logpRef,
      implicit_reward: stats.implicitReward,
      lc_reward: stats.lcReward,
    };
  });
  const summary: EvalSummary = {
    step,
    policy: step === 0 ? 'start model' : `checkpoint-${step}`,
    reference: 'start model',
    createdAt: '2025-11-20T10:30:00.000Z',
    seconds: 3.5,
    prompts: prompts.length,
    samplesPerPrompt: resultsFixture.samplesPerPrompt,
    selectionSplit: 0.5,
    sampling: { temperature: 1, topP: 1, topK: 0, maxNewTokens: 96, seed: 0 },
    splits: statistics.splits,
  };
  const dir = join(folder, 'evals', String(step));
  mkdirSync(dir, { recursive: true });
  writeLines(join(dir, 'samples.jsonl'), rows);
  writeJson(join(dir, 'summary.json'), summary);
}

/** Pointwise rows; one has a reward that is not a number, one line is not JSON. */
function writeDataset(file: string): void {
  const lines: string[] = [];
  for (let line = 1; line <= resultsFixture.datasetRows; line++) {
    if (line === resultsFixture.invalidJsonLine) lines.push('{"prompt": "Question 90", "completion": "cut off');
    else if (line === resultsFixture.invalidRewardLine) lines.push(JSON.stringify({ prompt: `Question ${line}`, completion: `Answer ${line}.`, reward: 'high', ref_rewards: [0.1, 0.2, 0.3] }));
    else lines.push(JSON.stringify({ prompt: `Question ${line}`, completion: `Answer ${line}.`, reward: round(Math.sin(line)), ref_rewards: [0.1, 0.2, 0.3] }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function writeLines(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}


