// The demo's results, read back from the run folders the pipeline wrote (evals/0 is the start model, "before";
// evals/<last step> the trained policy, "after"), as summary.json and a markdown table. Every number here comes
// from those evaluation summaries: held-out prompts, the policy's own samples, rewards from the reward module.
import { readEvalSummary } from '../eval/evalFolder';
import type { EvalSummary } from '../eval/evaluateCheckpoint';
import type { SplitSummary } from '../eval/evalStatistics';
import { ConfigError } from '../errors';
import { displayPath } from '../run/displayPath';
import type { RunFolder } from '../run/runFolder';

/** One evaluation, reduced to what the demo reports. */
export interface DemoEvaluation {
  readonly step: number;
  readonly prompts: number;
  readonly samples: number;
  readonly meanReward: number;
  /** The reference samples' mean reward on the same prompts. */
  readonly meanRefReward: number;
  /** Mean quantile of the policy's rewards among the prompt's reference rewards (0.5 + ties under π_ref). */
  readonly meanQuantile: number;
  /** KL(πθ‖π_ref) per sequence, k3 estimator on the policy's samples. */
  readonly klPerSequence: number;
  readonly klPerToken: number;
  /** Spearman ρ of the implicit reward on standardised length (null: nothing to fit). */
  readonly lengthBiasRho: number | null;
  readonly meanLength: number;
  readonly meanRefLength: number;
}

export interface DemoMethodResult {
  readonly method: string;
  readonly runDir: string;
  readonly before: DemoEvaluation;
  readonly after: DemoEvaluation;
}

export async function methodResult(method: string, folder: RunFolder): Promise<DemoMethodResult> {
  const last = (await folder.checkpoints()).at(-1);
  if (last === undefined) throw new ConfigError(`${displayPath(folder.dir)} has no checkpoint to report on`);
  return { method, runDir: folder.dir, before: await evaluation(folder, 0), after: await evaluation(folder, last) };
}

async function evaluation(folder: RunFolder, step: number): Promise<DemoEvaluation> {
  const summary: EvalSummary | undefined = await readEvalSummary(folder.evalDir(step));
  const split: SplitSummary | null | undefined = summary?.splits.reporting ?? summary?.splits.all;
  if (!split) throw new ConfigError(`${displayPath(folder.evalDir(step))} holds no complete evaluation`);
  return {
    step,
    prompts: split.prompts,
    samples: split.samples,
    meanReward: split.meanReward,
    meanRefReward: split.meanRefReward,
    meanQuantile: split.meanQuantile,
    klPerSequence: split.kl.k3.perSequence,
    klPerToken: split.kl.k3.perToken,
    lengthBiasRho: split.lengthBias?.spearman ?? null,
    meanLength: split.meanLength,
    meanRefLength: split.meanRefLength,
  };
}

const fixed = (value: number | null, digits: number) => (value === null ? '—' : value.toFixed(digits));
const signed = (value: number, digits: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/** The results table (GitHub markdown), one row per method. */
export function resultsTable(results: readonly DemoMethodResult[]): string {
  const rows = results.map(({ method, before, after }) =>
    [
      method.toUpperCase(),
      `${fixed(before.meanReward, 2)} → ${fixed(after.meanReward, 2)}`,
      `${fixed(before.meanQuantile, 3)} → ${fixed(after.meanQuantile, 3)}`,
      signed(after.meanQuantile - before.meanQuantile, 3),
      fixed(after.klPerSequence, 2),
      fixed(after.lengthBiasRho, 2),
      `${fixed(before.meanLength, 1)} → ${fixed(after.meanLength, 1)}`,
    ].join(' | '),
  );
  return [
    '| method | mean reward | mean quantile vs π_ref | Δ quantile | KL(πθ‖π_ref) k3/seq | length-bias ρ (after) | mean length (tokens) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}
