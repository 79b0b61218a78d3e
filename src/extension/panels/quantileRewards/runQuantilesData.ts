// The run Quantile Rewards panel's data, read from the run folder:
//   dataset     stages/quantiles/train.prepared.jsonl (each record's quantile, as training used it)
//   reference   stages/reward_scoring/reference_samples.jsonl grouped by prompt_key; each sample's quantile against
//               the other samples of its prompt, #{j ≠ i : R_j ≤ R_i}/(n − 1). Under π_ref and a continuous reward
//               that is Uniform on {0, 1/(n−1), …, 1}: anything else means ties (a coarse reward) or a broken
//               pipeline. Runs with reward.source column have no samples; their prompts' ref_rewards stand in.
//   checkpoints evals/<step>/samples.jsonl quantiles (against all stored reference samples of the prompt)
//   target      f(clamp(q)) − β·log Z with the transform and β of run.json, log Z from the prepared summary.
import * as vscode from 'vscode';
import { logPartition } from '../../../qrpo/math/partition';
import { QUANTILE_TRANSFORMS, transformQuantile, type QuantileTransform } from '../../../qrpo/math/transforms';
import { SPLIT_CODE } from '../results/commonProtocol';
import { completeLines, parseObjectLine } from '../results/jsonlPages';
import { evaluatedSteps, evalSamplesFile, fileExists, readRunPreparedSummary, runFile, RUN_RESULT_FILES, type RunSettings } from '../results/runResultsFolder';
import type { CheckpointQuantiles, QuantileGroup, RunQuantilesDataMessage, TargetCurve } from './runQuantilesProtocol';

const TARGET_GRID = 201;

export async function readRunQuantiles(folder: vscode.Uri, settings: RunSettings): Promise<Omit<RunQuantilesDataMessage, 'type' | 'view'>> {
  const notes: string[] = [];
  const preparedPath = runFile(folder, RUN_RESULT_FILES.prepared);
  const prepared = (await fileExists(preparedPath)) ? await readPrepared(preparedPath) : undefined;
  if (!prepared) notes.push('No dataset quantiles yet: the quantiles stage writes stages/quantiles/train.prepared.jsonl.');

  let reference: (QuantileGroup & { prompts: number }) | undefined;
  const samplesPath = runFile(folder, RUN_RESULT_FILES.scoredReferenceSamples);
  if (await fileExists(samplesPath)) {
    reference = { ...leaveOneOut(await readReferenceGroups(samplesPath)), source: RUN_RESULT_FILES.scoredReferenceSamples };
  } else if (prepared && prepared.refGroups.length > 0) {
    reference = { ...leaveOneOut(prepared.refGroups), source: `${RUN_RESULT_FILES.prepared} (ref_rewards)` };
  } else {
    notes.push('No scored reference samples yet: the reward_scoring stage writes stages/reward_scoring/reference_samples.jsonl.');
  }

  const checkpoints: CheckpointQuantiles[] = [];
  for (const step of await evaluatedSteps(folder)) {
    const read = await readCheckpointQuantiles(evalSamplesFile(folder, step)).catch(() => undefined);
    if (read) checkpoints.push({ step, ...read });
  }
  if (checkpoints.length === 0) notes.push('No evaluated checkpoint yet: the evaluation stage writes evals/<step>/samples.jsonl.');

  const summary = await readRunPreparedSummary(folder);
  const numRef = summary?.numRef ?? settings.numRefRewards ?? prepared?.refLength;
  const target = targetCurve(settings, summary?.logZ, summary?.beta, summary?.transform, numRef);
  if (!target && settings.header.transform) notes.push(`No target curve: β or the transform "${settings.header.transform}" is not one the engine knows.`);
  return {
    header: settings.header,
    dataset: prepared ? { quantiles: prepared.quantiles, levels: numRef, source: RUN_RESULT_FILES.prepared } : undefined,
    reference,
    checkpoints,
    evalLevels: settings.referenceSamples,
    target,
    notes,
  };
}

/** Each value's leave-one-out quantile within its group; `levels` is n − 1 when every group has n values. */
export function leaveOneOut(groups: readonly (readonly number[])[]): { quantiles: Float64Array; levels?: number; prompts: number } {
  const out: number[] = [];
  const sizes = new Set<number>();
  let prompts = 0;
  for (const group of groups) {
    if (group.length < 2) continue;
    prompts++;
    sizes.add(group.length);
    const sorted = [...group].sort((a, b) => a - b);
    for (const reward of group) out.push((upperBound(sorted, reward) - 1) / (group.length - 1));
  }
  const [only] = sizes;
  return { quantiles: Float64Array.from(out), levels: sizes.size === 1 ? only - 1 : undefined, prompts };
}

/** How many values of the sorted array are ≤ value. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function targetCurve(settings: RunSettings, summaryLogZ?: number, summaryBeta?: number, summaryTransform?: string, numRef?: number): TargetCurve | undefined {
  const transform = summaryTransform ?? settings.header.transform ?? 'identity';
  const beta = summaryBeta ?? settings.header.beta;
  if (beta === undefined || !(beta > 0) || !(QUANTILE_TRANSFORMS as readonly string[]).includes(transform)) return undefined;
  const f = transform as QuantileTransform;
  // Clamping needs n; without it, clamp as if n were large (only log and Φ⁻¹ clamp, at 1/n).
  const n = numRef && numRef >= 1 ? numRef : 1000;
  let logZ: number;
  let logZSource: TargetCurve['logZSource'] = 'prepared summary';
  try {
    if (typeof summaryLogZ === 'number' && Number.isFinite(summaryLogZ)) logZ = summaryLogZ;
    else {
      logZ = logPartition(f, beta, { mode: settings.logZMode ?? 'exact' });
      logZSource = 'run.json';
    }
  } catch {
    return undefined;
  }
  const q = new Float64Array(TARGET_GRID);
  const value = new Float64Array(TARGET_GRID);
  for (let i = 0; i < TARGET_GRID; i++) {
    q[i] = i / (TARGET_GRID - 1);
    value[i] = transformQuantile(q[i], f, { numRef: n, sigma: 1, mu: 0 }) - beta * logZ;
  }
  const note = f === 'scaled-normal-icdf' ? 'σₓ differs per prompt; the curve is drawn at σₓ = 1.' : undefined;
  return { transform, beta, logZ, logZSource, q, value, ...(note ? { note } : {}) };
}

interface PreparedColumns {
  readonly quantiles: Float64Array;
  /** The ref_rewards of each distinct prompt (for the leave-one-out check when there are no reference samples). */
  readonly refGroups: number[][];
  readonly refLength?: number;
}

async function readPrepared(file: string): Promise<PreparedColumns> {
  const quantiles: number[] = [];
  const groups = new Map<string, number[]>();
  for await (const { text } of completeLines(file)) {
    const row = parseObjectLine(text);
    if (!row || typeof row.quantile !== 'number' || !Number.isFinite(row.quantile)) continue;
    quantiles.push(row.quantile);
    const refs = row.ref_rewards;
    if (Array.isArray(refs) && refs.every((r) => typeof r === 'number')) {
      const key = JSON.stringify(row.prompt);
      if (!groups.has(key)) groups.set(key, refs as number[]);
    }
  }
  const refGroups = [...groups.values()];
  return { quantiles: Float64Array.from(quantiles), refGroups, refLength: refGroups[0]?.length };
}

async function readReferenceGroups(file: string): Promise<number[][]> {
  const groups = new Map<string, number[]>();
  for await (const { text } of completeLines(file)) {
    const row = parseObjectLine(text);
    if (!row || typeof row.reward !== 'number' || !Number.isFinite(row.reward)) continue;
    const key = typeof row.prompt_key === 'string' ? row.prompt_key : JSON.stringify(row.prompt);
    const group = groups.get(key) ?? [];
    group.push(row.reward);
    groups.set(key, group);
  }
  return [...groups.values()];
}

async function readCheckpointQuantiles(file: string): Promise<{ quantiles: Float64Array; split: Uint8Array }> {
  const quantiles: number[] = [];
  const split: number[] = [];
  for await (const { text } of completeLines(file)) {
    const row = parseObjectLine(text);
    if (!row || typeof row.quantile !== 'number' || !Number.isFinite(row.quantile)) continue;
    quantiles.push(row.quantile);
    split.push(row.split === 'selection' ? SPLIT_CODE.selection : SPLIT_CODE.reporting);
  }
  return { quantiles: Float64Array.from(quantiles), split: Uint8Array.from(split) };
}
