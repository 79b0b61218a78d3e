// From the runs' columns to what one metric's chart shows: x per the chosen axis (step, cumulative tokens, or wall
// time since the run's first line), the finite (x, y) pairs in x order, and the debiased EMA over them.
import type { CurvesViewState, XAxis } from '../../src/extension/panels/trainingCurves/protocol';
import { formatDuration, formatTick } from '../shared/axisTicks';
import type { ChartContent, ChartSeries } from '../shared/chartSeries';
import { debiasedEma } from '../shared/ema';
import { runColour } from '../shared/runColours';
import type { RunSeries } from './runSeriesStore';

const axisColumn: Record<XAxis, string> = { step: 'step', tokens: 'num_tokens', time: 'time' };
export const axisLabel: Record<XAxis, string> = { step: 'step', tokens: 'tokens (num_tokens)', time: 'wall time' };

export function chartContent(runs: readonly RunSeries[], metric: string, view: CurvesViewState): ChartContent {
  const hidden = new Set(view.hiddenRuns);
  const series: ChartSeries[] = [];
  for (const run of runs) {
    if (hidden.has(run.id)) continue;
    const raw = runPoints(run, metric, view.xAxis);
    if (!raw || raw.x.length === 0) continue;
    const smoothed = view.smoothing > 0 ? { x: raw.x, y: debiasedEma(raw.y, view.smoothing) } : undefined;
    series.push({ id: run.id, label: run.name, colour: runColour(run.id), raw, smoothed });
  }
  return { title: metric, xLabel: axisLabel[view.xAxis], smoothing: view.smoothing, series, formatX: view.xAxis === 'time' ? formatDuration : formatTick };
}

function runPoints(run: RunSeries, metric: string, axis: XAxis): { x: Float64Array; y: Float64Array } | undefined {
  const ys = run.columns.get(metric);
  const xs = run.columns.get(axisColumn[axis]);
  if (!ys || !xs) return undefined;
  const origin = axis === 'time' ? firstFinite(xs) : 0;
  let n = 0;
  const x = new Float64Array(ys.length);
  const y = new Float64Array(ys.length);
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isFinite(ys[i]) || !Number.isFinite(xs[i])) continue;
    x[n] = xs[i] - origin;
    y[n] = ys[i];
    n++;
  }
  const out = { x: x.subarray(0, n), y: y.subarray(0, n) };
  return isSorted(out.x) ? out : sortByX(out);
}

function firstFinite(values: Float64Array): number {
  for (const v of values) if (Number.isFinite(v)) return v;
  return 0;
}

function isSorted(x: Float64Array): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] < x[i - 1]) return false;
  return true;
}

/** Steps only grow in metrics.jsonl, but a wall clock can step back (NTP); plot in x order regardless. */
function sortByX(points: { x: Float64Array; y: Float64Array }): { x: Float64Array; y: Float64Array } {
  const order = Array.from(points.x.keys()).sort((a, b) => points.x[a] - points.x[b]);
  return { x: Float64Array.from(order, (i) => points.x[i]), y: Float64Array.from(order, (i) => points.y[i]) };
}
