// The numbers of a checkpoint evaluation (qrpo.md §8), from each sample's reward, length and per-token log-probs
// under the policy and the reference, and its prompt's reference rewards and lengths. Pure: evaluateCheckpoint.ts
// does the sampling and scoring. Each split is summarised on its own samples only (the length-controlled reward's
// slope included), so that nothing measured on the reporting prompts leaks into checkpoint selection.
import { klEstimates, lengthControlledReward, linearFit, mean, quantileReward, spearman, std, type LinearFit } from '../math';
import { unitIntervalBin } from '../run/preparedFile';
import { EVAL_SPLITS, type EvalSplit } from './evalSplit';

export const QUANTILE_HISTOGRAM_BINS = 20;

export interface SampleScores {
  readonly split: EvalSplit;
  readonly reward: number;
  /** Completion tokens, the EOS that ended it included (as reference samples count num_tokens). */
  readonly length: number;
  /** log πθ of each completion token, from the policy's scoring graph. */
  readonly policyTokenLogps: readonly number[];
  /** log π_ref of the same tokens, from the reference's scoring graph. */
  readonly refTokenLogps: readonly number[];
  /** The prompt's reference rewards and lengths (one entry per reference completion). */
  readonly refRewards: readonly number[];
  readonly refLengths: readonly number[];
}

export interface SampleStatistics {
  /** Share of the prompt's reference rewards ≤ the sample's reward (qrpo.md §2, ties count as wins). */
  readonly quantile: number;
  readonly logpPolicy: number;
  readonly logpRef: number;
  /** Σ_t (log πθ − log π_ref): the implicit reward, up to β (the length-bias y). */
  readonly implicitReward: number;
  /** (length − μl)/σl against the prompt's reference lengths (ddof 1); null where σl = 0 or fewer than 2 references. */
  readonly lengthZ: number | null;
  /** The length-controlled reward, with the slope fitted on the sample's split. */
  readonly lcReward: number;
}

export interface KlSummary {
  readonly perSequence: number;
  readonly perToken: number;
}

export interface LengthBias extends LinearFit {
  /** Spearman's ρ of implicit reward on standardised length (the paper's length-bias ρ). */
  readonly spearman: number;
  /** Samples whose length could be standardised (their prompt's reference lengths vary). */
  readonly samples: number;
}

export interface SplitSummary {
  readonly samples: number;
  readonly prompts: number;
  readonly meanReward: number;
  /** The reference completions' mean reward on the same prompts, for "before/after" at a glance. */
  readonly meanRefReward: number;
  readonly meanQuantile: number;
  /** Counts of sample quantiles in 20 equal bins over [0, 1] (1 falls in the last). Uniform under π_ref. */
  readonly quantileHistogram: number[];
  /** k1 = −logr and k3 = (e^{logr} − 1) − logr with logr = log π_ref − log πθ on the policy's samples. */
  readonly kl: { readonly k1: KlSummary; readonly k3: KlSummary };
  readonly meanLength: number;
  readonly meanRefLength: number;
  readonly lcReward: { readonly mean: number; readonly slope: number };
  /** null when fewer than two samples have distinct standardised lengths (no line to fit). */
  readonly lengthBias: LengthBias | null;
}

export type EvalSplitSummaries = Record<EvalSplit | 'all', SplitSummary | null>;

export interface EvaluationStatistics {
  readonly samples: SampleStatistics[];
  readonly splits: EvalSplitSummaries;
}

/** `promptIndex` groups samples by prompt (for prompt counts); `samples[i]` belongs to prompt `promptIndex[i]`. */
export function evaluationStatistics(samples: readonly SampleScores[], promptIndex: readonly number[]): EvaluationStatistics {
  const perSample = samples.map((sample) => {
    const logpPolicy = sum(sample.policyTokenLogps);
    const logpRef = sum(sample.refTokenLogps);
    return { quantile: quantileReward(sample.refRewards, sample.reward), logpPolicy, logpRef, implicitReward: logpPolicy - logpRef, lengthZ: lengthZ(sample), lcReward: sample.reward };
  });
  const splits = {} as Record<EvalSplit | 'all', SplitSummary | null>;
  for (const split of [...EVAL_SPLITS, 'all'] as const) {
    const members = samples.map((_, i) => i).filter((i) => split === 'all' || samples[i].split === split);
    const { summary, lcRewards } = summariseSplit(members.map((i) => samples[i]), members.map((i) => perSample[i]), members.map((i) => promptIndex[i]));
    splits[split] = summary;
    if (split !== 'all') members.forEach((i, k) => (perSample[i].lcReward = lcRewards[k]));
  }
  return { samples: perSample, splits };
}

function summariseSplit(
  samples: readonly SampleScores[],
  stats: readonly Omit<SampleStatistics, 'lcReward'>[],
  prompts: readonly number[],
): { summary: SplitSummary | null; lcRewards: number[] } {
  if (samples.length === 0) return { summary: null, lcRewards: [] };
  const histogram = new Array<number>(QUANTILE_HISTOGRAM_BINS).fill(0);
  for (const { quantile } of stats) histogram[unitIntervalBin(quantile, QUANTILE_HISTOGRAM_BINS)]++;
  const kl = klEstimates({ policyTokenLogps: samples.map((s) => s.policyTokenLogps), refTokenLogps: samples.map((s) => s.refTokenLogps) });
  const lc = lengthControl(samples);
  const seen = new Set<number>();
  const firstOfPrompt = samples.filter((_, i) => !seen.has(prompts[i]) && seen.add(prompts[i]) !== undefined);
  return {
    lcRewards: lc.lcRewards,
    summary: {
      samples: samples.length,
      prompts: firstOfPrompt.length,
      meanReward: mean(samples.map((s) => s.reward)),
      meanRefReward: mean(firstOfPrompt.flatMap((s) => s.refRewards)),
      meanQuantile: mean(stats.map((s) => s.quantile)),
      quantileHistogram: histogram,
      kl,
      meanLength: mean(samples.map((s) => s.length)),
      meanRefLength: mean(firstOfPrompt.flatMap((s) => s.refLengths)),
      lcReward: { mean: mean(lc.lcRewards), slope: lc.slope },
      lengthBias: lengthBias(stats),
    },
  };
}

/**
 * lengthControlledReward over the samples whose prompt has at least two references (a std with ddof 1); the
 * others keep their reward uncorrected.
 */
function lengthControl(samples: readonly SampleScores[]): { slope: number; lcRewards: number[] } {
  const usable = samples.map((_, i) => i).filter((i) => samples[i].refRewards.length >= 2);
  const lcRewards = samples.map((s) => s.reward);
  if (usable.length === 0) return { slope: 0, lcRewards };
  const fitted = lengthControlledReward(usable.map((i) => samples[i]));
  usable.forEach((i, k) => (lcRewards[i] = fitted.lcRewards[k]));
  return { slope: fitted.slope, lcRewards };
}

function lengthZ(sample: SampleScores): number | null {
  if (sample.refLengths.length < 2) return null;
  const sigma = std(sample.refLengths, 1);
  return sigma > 0 ? (sample.length - mean(sample.refLengths)) / sigma : null;
}

/** x = standardised length, y = implicit reward; a line and Spearman's ρ, or null with nothing to fit. */
function lengthBias(stats: readonly Omit<SampleStatistics, 'lcReward'>[]): LengthBias | null {
  const points = stats.filter((s) => s.lengthZ !== null);
  const x = points.map((s) => s.lengthZ!);
  const y = points.map((s) => s.implicitReward);
  if (new Set(x).size < 2) return null;
  return { ...linearFit(x, y), spearman: spearman(x, y), samples: points.length };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
