// One metric's chart.js line chart. Built for many runs: no animation, no parsing (points are handed over in
// chart.js's internal {x, y} form, sorted, `normalized`), and each series thinned with LTTB to about one point per
// pixel of the plot, since more points than pixels only cost time. The raw series is drawn faint behind the
// smoothed one, as TensorBoard does.
import { Chart, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration, type ChartDataset } from 'chart.js';
import { formatTick } from '../shared/axisTicks';
import type { ChartContent } from '../shared/chartSeries';
import { lttb, type Points } from '../shared/downsample';
import { withAlpha } from '../shared/runColours';
import type { ChartTheme } from '../theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip);

type Point = { x: number; y: number };
export type CurveChart = Chart<'line', Point[]>;

export interface DrawnStats {
  readonly points: number;
  /** Sum of the drawn y values of the foreground (smoothed, else raw) series. */
  readonly digest: number;
}

export function createCurveChart(canvas: HTMLCanvasElement, content: ChartContent, theme: ChartTheme): { chart: CurveChart; stats: DrawnStats } {
  const { datasets, stats } = curveDatasets(content, pixelBudget(canvas));
  const chart = new Chart(canvas, { type: 'line', data: { datasets }, options: curveOptions(content, theme) } satisfies ChartConfiguration<'line', Point[]>);
  return { chart, stats };
}

/** Replaces the data (and options, for a new theme or axis) of a chart in place, without animation. */
export function updateCurveChart(chart: CurveChart, content: ChartContent, theme: ChartTheme): DrawnStats {
  const { datasets, stats } = curveDatasets(content, pixelBudget(chart.canvas));
  chart.data.datasets = datasets;
  chart.options = curveOptions(content, theme) ?? {};
  chart.update('none');
  return stats;
}

function pixelBudget(canvas: HTMLCanvasElement): number {
  return Math.max(200, Math.round(canvas.parentElement?.clientWidth ?? canvas.clientWidth ?? 600));
}

function curveDatasets(content: ChartContent, budget: number): { datasets: ChartDataset<'line', Point[]>[]; stats: DrawnStats } {
  const datasets: ChartDataset<'line', Point[]>[] = [];
  let points = 0;
  let digest = 0;
  for (const s of content.series) {
    const line = (p: Points, colour: string, width: number, order: number, foreground: boolean, pointBudget: number): ChartDataset<'line', Point[]> => {
      const thin = lttb(p, pointBudget);
      const data: Point[] = new Array(thin.x.length);
      for (let i = 0; i < thin.x.length; i++) {
        data[i] = { x: thin.x[i], y: thin.y[i] };
        if (foreground) digest += thin.y[i];
      }
      points += data.length;
      return { label: s.label, data, borderColor: colour, backgroundColor: colour, borderWidth: width, pointRadius: 0, pointHoverRadius: foreground ? 3 : 0, order, normalized: true } as ChartDataset<'line', Point[]>;
    };
    if (s.smoothed) {
      // The faint raw line needs less detail than the one people read.
      datasets.push(line(s.raw, withAlpha(s.colour, 0.28), 1, 2, false, Math.ceil(budget / 2)));
      datasets.push(line(s.smoothed, s.colour, 1.75, 1, true, budget));
    } else {
      datasets.push(line(s.raw, s.colour, 1.5, 1, true, budget));
    }
  }
  return { datasets, stats: { points, digest } };
}

function curveOptions(content: ChartContent, theme: ChartTheme): ChartConfiguration<'line', Point[]>['options'] {
  const font = { family: theme.fontFamily, size: Math.max(10, theme.fontSize - 1) };
  const foregroundOnly = content.smoothing > 0;
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    spanGaps: true,
    events: ['mousemove', 'mouseout'],
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: {
        type: 'linear',
        // End where the data ends: a live run at step 321 should not look like it stopped short of 400.
        bounds: 'data',
        title: { display: true, text: content.xLabel, color: theme.mutedForeground, font },
        ticks: { color: theme.mutedForeground, font, maxTicksLimit: 7, callback: (value) => content.formatX(Number(value)) },
        grid: { color: theme.grid },
        border: { color: theme.grid },
      },
      y: {
        type: 'linear',
        ticks: { color: theme.mutedForeground, font, maxTicksLimit: 7, callback: (value) => formatTick(Number(value)) },
        grid: { color: theme.grid },
        border: { color: theme.grid },
      },
    },
    plugins: {
      legend: { display: false },
      tooltip: {
        titleFont: font,
        bodyFont: font,
        // Only the line each run is read by: its smoothed series when smoothing is on.
        filter: (item) => !foregroundOnly || item.dataset.order === 1,
        callbacks: { title: (items) => (items.length ? `${content.xLabel} ${content.formatX(items[0].parsed.x ?? 0)}` : '') },
      },
    },
  };
}
