// The two histograms of the Quantile Rewards panel. Quantiles use 20 bins on [0, 1] drawn as a density, next to
// the Uniform(0, 1) density that samples from π_ref would give (docs/qrpo.md §2): mass piling up on the right
// means the dataset's completions beat the reference. Targets f(q) − β·log Z use 20 bins over their range.
import type { ChartConfiguration } from 'chart.js';
import { binLabels, densities, histogram, histogramOfRange } from '../histogram';
import { Chart } from '../results/registeredChart';
import type { ChartTheme } from '../theme';


const bins = 20;

type MixedConfig = ChartConfiguration<'bar' | 'line', number[], string>;

export function quantileChartConfig(quantiles: Float64Array, theme: ChartTheme): MixedConfig {
  const h = histogram(quantiles, bins, 0, 1);
  return {
    type: 'bar',
    data: {
      labels: binLabels(h, 3),
      datasets: [
        { type: 'bar', label: 'dataset', data: densities(h, quantiles.length), backgroundColor: translucent(theme.primary), borderColor: theme.primary, borderWidth: 1 },
        {
          type: 'line',
          label: 'π_ref (uniform)',
          data: new Array(bins).fill(1),
          borderColor: theme.reference,
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
        },
      ],
    },
    options: baseOptions(theme, 'quantile q', 'density'),
  };
}

export function targetChartConfig(targets: Float64Array, theme: ChartTheme): MixedConfig {
  const h = histogramOfRange(targets, bins);
  return {
    type: 'bar',
    data: {
      labels: binLabels(h, 2),
      datasets: [{ type: 'bar', label: 'target', data: h.counts, backgroundColor: translucent(theme.secondary), borderColor: theme.secondary, borderWidth: 1 }],
    },
    options: baseOptions(theme, 'target f(q) − β·log Z', 'records'),
  };
}

/** Applies a new theme to an existing chart without animation. */
export function restyle(chart: Chart<'bar' | 'line', number[], string>, theme: ChartTheme, colours: string[]): void {
  chart.data.datasets.forEach((dataset, i) => {
    const colour = colours[i] ?? theme.primary;
    dataset.borderColor = colour;
    if (dataset.type === 'bar') dataset.backgroundColor = translucent(colour);
  });
  chart.options = { ...chart.options, ...baseOptions(theme, axisTitle(chart, 'x'), axisTitle(chart, 'y')) };
  chart.update('none');
}

function axisTitle(chart: Chart<'bar' | 'line', number[], string>, axis: 'x' | 'y'): string {
  const title = (chart.options.scales?.[axis] as { title?: { text?: unknown } } | undefined)?.title?.text;
  return typeof title === 'string' ? title : '';
}

function baseOptions(theme: ChartTheme, xTitle: string, yTitle: string): MixedConfig['options'] {
  const font = { family: theme.fontFamily, size: theme.fontSize };
  const axis = (title: string) => ({
    title: { display: true, text: title, color: theme.mutedForeground, font },
    ticks: { color: theme.mutedForeground, font },
    grid: { color: theme.grid },
    border: { color: theme.grid },
  });
  return {
    // No animation: the panel reports `rendered` once the final frame is on the canvas.
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    datasets: { bar: { barPercentage: 1, categoryPercentage: 1 } },
    scales: { x: axis(xTitle), y: { ...axis(yTitle), beginAtZero: true } },
    plugins: {
      legend: { labels: { color: theme.foreground, font } },
      tooltip: { titleFont: font, bodyFont: font },
    },
  };
}

function translucent(colour: string): string {
  // #rrggbb → #rrggbb80; other notations (rgb(), named) are used as they are.
  return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}80` : colour;
}
