// A chart's data as CSV (long format: one row per run and x, so runs logged at different steps share one table)
// and as JSON (one object per run with columns), both at full resolution.
import type { ChartContent } from './chartSeries';

export function chartCsv(chart: ChartContent): string {
  const header = ['run', chart.xLabel, chart.title, ...(chart.smoothing > 0 ? [`${chart.title} (smoothed, α=${chart.smoothing})`] : [])];
  const lines = [header.map(csvCell).join(',')];
  for (const s of chart.series) {
    for (let i = 0; i < s.raw.x.length; i++) {
      const cells = [csvCell(s.label), String(s.raw.x[i]), String(s.raw.y[i])];
      if (chart.smoothing > 0) cells.push(s.smoothed ? String(s.smoothed.y[i]) : '');
      lines.push(cells.join(','));
    }
  }
  return `${lines.join('\n')}\n`;
}

export function chartJson(chart: ChartContent): string {
  return `${JSON.stringify(
    {
      metric: chart.title,
      x: chart.xLabel,
      smoothing: chart.smoothing,
      runs: chart.series.map((s) => ({
        id: s.id,
        name: s.label,
        colour: s.colour,
        x: Array.from(s.raw.x),
        y: Array.from(s.raw.y),
        ...(s.smoothed ? { smoothed: Array.from(s.smoothed.y) } : {}),
      })),
    },
    null,
    2,
  )}\n`;
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
