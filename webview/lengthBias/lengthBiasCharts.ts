// The Length Bias panel's two charts. The scatter is the paper's Figure 4: x = the completion's length standardised
// against its prompt's reference lengths, y = the implicit reward Σ_t log πθ − log π_ref; each shown (run,
// checkpoint) gets its points, its least-squares line over the points' x range, and ρ and the line in its legend
// entry. A method that learned "longer is better" has a rising line and ρ > 0 (the paper: DPO 0.49, SimPO 0.37);
// QRPO and REBEL stay near 0. The second chart is mean generation length per evaluated checkpoint.
import type { ChartConfiguration, ChartDataset, PointStyle } from 'chart.js';
import type { FitSummary, LengthBiasSeries, LengthOverSteps } from '../../src/extension/panels/lengthBias/protocol';
import { SPLIT_CODE, type SplitChoice } from '../../src/extension/panels/results/commonProtocol';
import { axis, baseChartOptions, translucent } from '../results/chartStyle';
import { formatNumber } from '../results/dom';
import { Chart } from '../results/registeredChart';
import { runColour } from '../shared/runColours';
import type { ChartTheme } from '../theme';


type XY = { x: number; y: number };
export type LengthBiasChart = Chart<'scatter' | 'line', XY[]>;

/** Checkpoints of one run are told apart by point shape; runs by colour. */
const POINT_STYLES: PointStyle[] = ['circle', 'triangle', 'rect', 'rectRot', 'star', 'crossRot', 'rectRounded', 'cross'];

export function fitLabel(series: LengthBiasSeries, fit: FitSummary | null): string {
  const step = series.step === 0 ? 'step 0 (before)' : `step ${series.step}`;
  const method = series.lossType ? ` [${series.lossType}]` : '';
  if (!fit) return `${series.runName}${method} @ ${step}: no fit`;
  const sign = fit.intercept < 0 ? '−' : '+';
  return `${series.runName}${method} @ ${step}: ρ = ${formatNumber(fit.spearman, 3)}, y = ${formatNumber(fit.slope, 3)}x ${sign} ${formatNumber(Math.abs(fit.intercept), 3)} (n = ${fit.samples})`;
}

export function scatterConfig(series: readonly LengthBiasSeries[], split: SplitChoice, theme: ChartTheme, stepIndexOf: (s: LengthBiasSeries) => number): ChartConfiguration<'scatter' | 'line', XY[]> {
  const datasets: ChartDataset<'scatter' | 'line', XY[]>[] = [];
  for (const s of series) {
    const colour = runColour(s.run);
    const points: XY[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < s.x.length; i++) {
      if (split !== 'all' && s.split[i] !== SPLIT_CODE[split]) continue;
      points.push({ x: s.x[i], y: s.y[i] });
      lo = Math.min(lo, s.x[i]);
      hi = Math.max(hi, s.x[i]);
    }
    const fit = s.fits[split];
    datasets.push({
      type: 'scatter',
      label: fitLabel(s, fit),
      data: points,
      backgroundColor: translucent(colour, 0.55),
      borderColor: colour,
      pointStyle: POINT_STYLES[stepIndexOf(s) % POINT_STYLES.length],
      pointRadius: 3,
    });
    if (fit && Number.isFinite(lo)) {
      datasets.push({
        type: 'line',
        label: '',
        data: [
          { x: lo, y: fit.slope * lo + fit.intercept },
          { x: hi, y: fit.slope * hi + fit.intercept },
        ],
        borderColor: colour,
        borderWidth: 2,
        borderDash: [6, 3],
        pointRadius: 0,
      });
    }
  }
  const options = baseChartOptions(theme, {
    x: axis(theme, { title: 'length, standardised per prompt (length − μₗ)/σₗ', type: 'linear' }),
    y: axis(theme, { title: 'implicit reward Σ log πθ − log π_ref', type: 'linear' }),
  }) as Record<string, Record<string, unknown>>;
  // Fit lines carry no legend entry of their own: their series' entry states the fit.
  const legend = options.plugins.legend as { labels: Record<string, unknown> };
  legend.labels.filter = (item: { text: string }) => item.text !== '';
  return { type: 'scatter', data: { datasets }, options: options as ChartConfiguration<'scatter' | 'line', XY[]>['options'] };
}

export function lengthsConfig(lengths: readonly LengthOverSteps[], theme: ChartTheme): ChartConfiguration<'line', XY[]> {
  const datasets: ChartDataset<'line', XY[]>[] = [];
  for (const l of lengths) {
    const colour = runColour(l.run);
    const points = Array.from(l.steps, (step, i) => ({ x: step, y: l.meanLength[i] }));
    datasets.push({ label: `${l.runName}: mean eval length`, data: points, borderColor: colour, backgroundColor: colour, borderWidth: 2, pointRadius: 3 });
    if (l.meanRefLength !== null && points.length) {
      const first = points[0].x;
      const last = points[points.length - 1].x;
      datasets.push({
        label: `${l.runName}: reference`,
        data: [
          { x: first, y: l.meanRefLength },
          { x: last, y: l.meanRefLength },
        ],
        borderColor: translucent(colour, 0.6),
        borderDash: [2, 3],
        borderWidth: 1,
        pointRadius: 0,
      });
    }
    if (l.metric) {
      const metric = l.metric;
      datasets.push({
        label: `${l.runName}: ${metric.name} (training)`,
        data: Array.from(metric.steps, (step, i) => ({ x: step, y: metric.values[i] })),
        borderColor: translucent(colour, 0.7),
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
      });
    }
  }
  const options = baseChartOptions(theme, {
    x: axis(theme, { title: 'training step', type: 'linear' }),
    y: axis(theme, { title: 'tokens', type: 'linear', beginAtZero: true }),
  });
  return { type: 'line', data: { datasets }, options: options as ChartConfiguration<'line', XY[]>['options'] };
}
