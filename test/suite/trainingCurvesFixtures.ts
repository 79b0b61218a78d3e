// Run folders for the curves suites, written into a temporary folder outside the workspace (so the Runs view's
// fixture stays as it is): run.json, metrics.jsonl shaped like a real QRPO or DPO run (loss falling, margins and
// percentile rewards rising, cosine learning rate, cumulative num_tokens, a wall-clock `time`), and optionally an
// evaluation summary. Written with node:fs, as the engine writes them, so only file watchers can notice changes.
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../fixtures/workspace/fixtureRandom';

export interface CurvesFixtureRun {
  readonly name: string;
  readonly loss: 'qrpo' | 'dpo';
  readonly beta: number;
  readonly transform: string;
  readonly learningRate?: number;
  readonly steps: number;
  readonly seed: number;
  /** Write evals/<steps>/summary.json with these headline numbers. */
  readonly eval?: { meanReward: number; meanQuantile: number; klK3: number; lcReward: number; rho: number };
}

export function temporaryRunsFolder(): string {
  return mkdtempSync(join(tmpdir(), 'qrpo-curves-'));
}

export function writeFixtureRun(root: string, run: CurvesFixtureRun): string {
  const folder = join(root, run.name);
  mkdirSync(folder, { recursive: true });
  const config = {
    model_name_or_path: 'models/tiny-gpt2',
    dataset_name: 'data/helpfulness.jsonl',
    run_name: run.name,
    output_dir: folder,
    loss_type: run.loss,
    beta: run.beta,
    qrpo_transform_type: run.transform,
    learning_rate: run.learningRate ?? 1e-6,
    num_ref_rewards: 3,
    per_device_train_batch_size: 8,
    reward: { source: 'column', column: null, batch_size: 8 },
  };
  writeFileSync(join(folder, 'run.json'), JSON.stringify({ config, engineVersion: '0.1.0', createdAt: '2025-01-01T00:00:00.000Z' }, null, 2));
  writeFileSync(join(folder, 'metrics.jsonl'), metricLines(run, 1, run.steps));
  if (run.eval) {
    mkdirSync(join(folder, 'evals', String(run.steps)), { recursive: true });
    writeFileSync(join(folder, 'evals', String(run.steps), 'summary.json'), JSON.stringify(evalSummary(run.steps, run.eval), null, 2));
  }
  return folder;
}

/** Appends steps from..to as the engine does: whole lines. */
export function appendSteps(folder: string, run: CurvesFixtureRun, from: number, to: number): void {
  appendFileSync(join(folder, 'metrics.jsonl'), metricLines(run, from, to));
}

export function metricLines(run: CurvesFixtureRun, from: number, to: number): string {
  const random = mulberry32(run.seed * 7919 + from);
  const noise = () => random() - 0.5;
  const total = Math.max(run.steps, to);
  const lines: string[] = [];
  for (let step = from; step <= to; step++) {
    const progress = step / total;
    const warmup = Math.min(1, step / (0.1 * total));
    const lr = (run.learningRate ?? 1e-6) * warmup * 0.5 * (1 + Math.cos(Math.PI * Math.max(0, progress - 0.1) / 0.9));
    const record: Record<string, unknown> = {
      step,
      epoch: progress,
      loss: round(0.25 + 0.45 * Math.exp(-step / (0.3 * total)) + 0.05 * noise()),
      grad_norm: round(1.2 + 0.6 * Math.exp(-step / (0.2 * total)) + 0.3 * noise()),
      learning_rate: lr,
      num_tokens: step * 8 * 180,
      time: new Date(Date.UTC(2025, 0, 1) + step * 2500).toISOString(),
    };
    if (run.loss === 'qrpo') {
      record['percentile_rewards/chosen'] = round(0.5 + 0.2 * (1 - Math.exp(-step / (0.4 * total))) + 0.05 * noise());
      record['percentile_rewards/rejected'] = round(0.5 - 0.1 * (1 - Math.exp(-step / (0.4 * total))) + 0.05 * noise());
      record['modified_rewards/beta_logZ'] = round(run.beta * Math.log(run.beta + Math.exp(-1 / run.beta)));
      record['rewards/margins'] = round(0.3 * (1 - Math.exp(-step / (0.5 * total))) + 0.08 * noise());
    } else {
      record['rewards/chosen'] = round(0.2 * progress + 0.05 * noise());
      record['rewards/rejected'] = round(-0.3 * progress + 0.05 * noise());
      record['rewards/margins'] = round(0.5 * (1 - Math.exp(-step / (0.3 * total))) + 0.1 * noise());
      record['rewards/accuracies'] = round(Math.min(1, 0.5 + 0.4 * progress + 0.1 * noise()));
    }
    lines.push(JSON.stringify(record));
  }
  return lines.map((line) => `${line}\n`).join('');
}

function evalSummary(step: number, e: NonNullable<CurvesFixtureRun['eval']>): unknown {
  const split = {
    samples: 80,
    prompts: 20,
    meanReward: e.meanReward,
    meanRefReward: 0.1,
    meanQuantile: e.meanQuantile,
    quantileHistogram: new Array(20).fill(4),
    kl: { k1: { perSequence: e.klK3 * 1.1, perToken: e.klK3 / 50 }, k3: { perSequence: e.klK3, perToken: e.klK3 / 60 } },
    meanLength: 120,
    meanRefLength: 110,
    lcReward: { mean: e.lcReward, slope: 0.2 },
    lengthBias: { slope: e.rho * 0.8, intercept: 0, r2: e.rho * e.rho, spearman: e.rho, samples: 80 },
  };
  return { step, policy: `checkpoint-${step}`, reference: 'models/tiny-gpt2', createdAt: '2025-01-01T01:00:00.000Z', seconds: 12, prompts: 20, samplesPerPrompt: 4, selectionSplit: 0.5, sampling: {}, splits: { selection: split, reporting: split, all: split } };
}


function round(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
