// The histograms of the run Quantile Rewards panel: a quantile density on [0, 1] with the Uniform(0, 1) density
// π_ref would give (docs/qrpo.md §2) and, on a secondary axis, the regression target f(q) − β·log Z that each
// quantile is trained towards, so a researcher sees which part of the histogram QRPO pushes up (target > 0) and
// which down.
import type { ChartConfiguration } from 'chart.js';
import type { TargetCurve } from '../../src/extension/panels/quantileRewards/runQuantilesProtocol';
import { axis, baseChartOptions, translucent } from '../results/chartStyle';
import { curveAt, quantileBins } from '../results/quantileBins';
import { Chart } from '../results/registeredChart';
import type { ChartTheme } from '../theme';


export type QuantileChart = Chart<'bar' | 'line', number[], string>;

export interface QuantileChartSpec {
  readonly values: Float64Array;
  readonly levels?: number;
  readonly label: string;
  readonly colour: string;
  readonly uniformLabel: string;
  readonly target?: TargetCurve;
}

export function quantileChartConfig(spec: QuantileChartSpec, theme: ChartTheme): ChartConfiguration<'bar' | 'line', number[], string> {
  const bins = quantileBins(spec.values, spec.levels);
  const datasets: ChartConfiguration<'bar' | 'line', number[], string>['data']['datasets'] = [
    { type: 'bar', label: spec.label, data: bins.density, backgroundColor: translucent(spec.colour), borderColor: spec.colour, borderWidth: 1, yAxisID: 'y', order: 2 },
    {
      type: 'line',
      label: spec.uniformLabel,
      data: bins.density.map(() => 1),
      borderColor: theme.reference,
      borderDash: [6, 4],
      borderWidth: 2,
      pointRadius: 0,
      yAxisID: 'y',
      order: 1,
    },
  ];
  const scales: Record<string, Record<string, unknown>> = {
    x: axis(theme, { title: 'quantile q' }),
    // Headroom above density 1, so the Uniform line stays visible over a flat histogram.
    y: { ...axis(theme, { title: 'density', beginAtZero: true }), suggestedMax: 1.25 },
  };
  if (spec.target) {
    const target = spec.target;
    datasets.push({
      type: 'line',
      label: `target f(q) − β·log Z (${target.transform})`,
      data: bins.representative.map((q) => curveAt(target.q, target.value, q)),
      borderColor: theme.secondary,
      backgroundColor: theme.secondary,
      borderWidth: 2,
      pointRadius: 2,
      yAxisID: 'y1',
      order: 0,
    });
    scales.y1 = axis(theme, { title: 'target', position: 'right', grid: false });
  }
  const options = baseChartOptions(theme, scales) as ChartConfiguration<'bar' | 'line', number[], string>['options'];
  return { type: 'bar', data: { labels: bins.labels, datasets }, options: { ...options, datasets: { bar: { barPercentage: 1, categoryPercentage: 1 } } } };
}
