// The Length Bias panel's data from run folders: per run and evaluated checkpoint, the samples' standardised length
// (length_z) and implicit reward from evals/<step>/samples.jsonl, with the least-squares line and Spearman's ρ per
// split computed by the engine's own statistics (src/qrpo/math/statistics.ts, pure and small); and the mean
// generation length per checkpoint (summary.json) beside any length metric metrics.jsonl logs.
import * as vscode from 'vscode';
import { linearFit, spearman } from '../../../qrpo/math/statistics';
import { SPLIT_CODE, type SplitChoice } from '../results/commonProtocol';
import { completeLines, parseObjectLine } from '../results/jsonlPages';
import { evaluatedSteps, evalSamplesFile, readStepSummary, runFile, RUN_RESULT_FILES, type RunSettings } from '../results/runResultsFolder';
import type { FitSummary, LengthBiasSeries, LengthOverSteps } from './protocol';

export interface SeriesPoints {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly split: Uint8Array;
}

/** Reads the (length_z, implicit_reward) pairs of one evaluation; samples without a standardised length are left out. */
export async function readLengthBiasPoints(samplesFile: string): Promise<SeriesPoints> {
  const x: number[] = [];
  const y: number[] = [];
  const split: number[] = [];
  for await (const { text } of completeLines(samplesFile)) {
    const row = parseObjectLine(text);
    if (!row) continue;
    const { length_z: lengthZ, implicit_reward: implicitReward } = row;
    if (typeof lengthZ !== 'number' || typeof implicitReward !== 'number' || !Number.isFinite(lengthZ) || !Number.isFinite(implicitReward)) continue;
    x.push(lengthZ);
    y.push(implicitReward);
    split.push(row.split === 'selection' ? SPLIT_CODE.selection : SPLIT_CODE.reporting);
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y), split: Uint8Array.from(split) };
}

/** The fit on the points of one split (all: every point); null where no line can be fitted. */
export function fitOf(points: SeriesPoints, choice: SplitChoice): FitSummary | null {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < points.x.length; i++) {
    if (choice !== 'all' && points.split[i] !== SPLIT_CODE[choice]) continue;
    x.push(points.x[i]);
    y.push(points.y[i]);
  }
  if (x.length < 2 || x.every((v) => v === x[0])) return null;
  const line = linearFit(x, y);
  return { slope: line.slope, intercept: line.intercept, r2: line.r2, spearman: spearman(x, y), samples: x.length };
}

export async function runSeries(settings: RunSettings): Promise<{ series: LengthBiasSeries[]; lengths: LengthOverSteps }> {
  const folder = vscode.Uri.parse(settings.header.run);
  const steps = await evaluatedSteps(folder);
  const series: LengthBiasSeries[] = [];
  const meanLengths: number[] = [];
  const lengthSteps: number[] = [];
  let meanRefLength: number | null = null;
  for (const step of steps) {
    const summary = await readStepSummary(folder, step);
    const all = summary?.splits?.all;
    if (all && Number.isFinite(all.meanLength)) {
      lengthSteps.push(step);
      meanLengths.push(all.meanLength);
      if (Number.isFinite(all.meanRefLength)) meanRefLength = all.meanRefLength;
    }
    const points = await readLengthBiasPoints(evalSamplesFile(folder, step)).catch(() => undefined);
    if (!points) continue;
    series.push({
      key: `${settings.header.run}#${step}`,
      run: settings.header.run,
      runName: settings.header.name,
      lossType: settings.header.lossType,
      step,
      ...points,
      fits: { all: fitOf(points, 'all'), selection: fitOf(points, 'selection'), reporting: fitOf(points, 'reporting') },
    });
  }
  const metric = await lengthMetric(runFile(folder, RUN_RESULT_FILES.metrics));
  return {
    series,
    lengths: {
      run: settings.header.run,
      runName: settings.header.name,
      steps: Float64Array.from(lengthSteps),
      meanLength: Float64Array.from(meanLengths),
      meanRefLength,
      ...(metric ? { metric } : {}),
    },
  };
}

// Names trainers use for the mean completion length of a logging step (TRL's online trainers log
// completion_length; some log completions/mean_length). The first one present is plotted.
const LENGTH_METRICS = ['completion_length', 'completions/mean_length', 'mean_completion_length', 'lengths/mean', 'eval/mean_length'];

async function lengthMetric(metricsFile: string): Promise<LengthOverSteps['metric'] | undefined> {
  const found = new Map<string, { steps: number[]; values: number[] }>();
  try {
    for await (const { text } of completeLines(metricsFile)) {
      const record = parseObjectLine(text);
      if (!record || typeof record.step !== 'number') continue;
      for (const name of LENGTH_METRICS) {
        const value = record[name];
        if (typeof value !== 'number' || !Number.isFinite(value)) continue;
        const series = found.get(name) ?? { steps: [], values: [] };
        series.steps.push(record.step);
        series.values.push(value);
        found.set(name, series);
      }
    }
  } catch {
    return undefined; // no metrics.jsonl yet
  }
  const name = LENGTH_METRICS.find((n) => found.has(n));
  if (!name) return undefined;
  const series = found.get(name)!;
  return { name, steps: Float64Array.from(series.steps), values: Float64Array.from(series.values) };
}
