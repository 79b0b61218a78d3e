// A line chart as standalone SVG (chart.js draws to canvas only): title, axes with nice ticks, grid, each run's
// raw series faint and its smoothed series solid, and a legend. Long series are thinned with LTTB to keep files
// small; the data exports carry every point.
import { formatTick, niceTicks } from './axisTicks';
import type { ChartContent, ExportColours } from './chartSeries';
import { lttb, type Points } from './downsample';

const width = 800;
const plotHeight = 380;
const margin = { top: 44, right: 24, bottom: 52, left: 72 };
const legendRowHeight = 18;
const legendColumns = 3;
const maxPointsPerLine = 1200;

export function lineChartSvg(chart: ChartContent, colours: ExportColours): string {
  const legendRows = Math.ceil(chart.series.length / legendColumns);
  const height = margin.top + plotHeight + margin.bottom + legendRows * legendRowHeight + 8;
  const plotWidth = width - margin.left - margin.right;
  const all = chart.series.flatMap((s) => [s.raw, ...(s.smoothed ? [s.smoothed] : [])]);
  const [xMin, xMax] = extent(all.map((p) => p.x));
  const [yMin, yMax] = padded(extent(all.map((p) => p.y)));
  const sx = (x: number) => margin.left + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const sy = (y: number) => margin.top + plotHeight - (yMax === yMin ? plotHeight / 2 : ((y - yMin) / (yMax - yMin)) * plotHeight);

  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="${attr(colours.background)}"/>`);
  parts.push(text(margin.left, 26, chart.title, colours.foreground, 15, 'start', 'font-weight="600"'));
  for (const t of niceTicks(yMin, yMax)) {
    const y = sy(t);
    parts.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${f(y)}" y2="${f(y)}" stroke="${attr(colours.grid)}" stroke-width="1"/>`);
    parts.push(text(margin.left - 8, y + 4, formatTick(t), colours.muted, 11, 'end'));
  }
  for (const t of niceTicks(xMin, xMax)) {
    const x = sx(t);
    parts.push(`<line x1="${f(x)}" x2="${f(x)}" y1="${margin.top}" y2="${margin.top + plotHeight}" stroke="${attr(colours.grid)}" stroke-width="1"/>`);
    parts.push(text(x, margin.top + plotHeight + 18, chart.formatX(t), colours.muted, 11, 'middle'));
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="${attr(colours.grid)}"/>`);
  parts.push(text(margin.left + plotWidth / 2, margin.top + plotHeight + 40, chart.xLabel, colours.muted, 12, 'middle'));

  parts.push(`<g clip-path="url(#plot)" fill="none" stroke-linejoin="round">`);
  for (const s of chart.series) {
    if (s.smoothed) parts.push(polyline(s.raw, sx, sy, s.colour, 1, 0.25));
    parts.push(polyline(s.smoothed ?? s.raw, sx, sy, s.colour, 1.6, 1));
  }
  parts.push('</g>');

  const legendTop = margin.top + plotHeight + margin.bottom;
  const columnWidth = (width - margin.left - margin.right) / legendColumns;
  chart.series.forEach((s, i) => {
    const x = margin.left + (i % legendColumns) * columnWidth;
    const y = legendTop + Math.floor(i / legendColumns) * legendRowHeight;
    parts.push(`<rect x="${f(x)}" y="${f(y - 9)}" width="14" height="4" rx="1" fill="${attr(s.colour)}"/>`);
    parts.push(text(x + 20, y - 3, s.label, colours.foreground, 11, 'start'));
  });

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${attr(colours.fontFamily)}">`,
    `<title>${esc(chart.title)}</title>`,
    `<defs><clipPath id="plot"><rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}"/></clipPath></defs>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function polyline(points: Points, sx: (x: number) => number, sy: (y: number) => number, colour: string, strokeWidth: number, opacity: number): string {
  const thin = lttb(points, maxPointsPerLine);
  const coordinates: string[] = [];
  for (let i = 0; i < thin.x.length; i++) coordinates.push(`${f(sx(thin.x[i]))},${f(sy(thin.y[i]))}`);
  return `<polyline points="${coordinates.join(' ')}" stroke="${attr(colour)}" stroke-width="${strokeWidth}"${opacity < 1 ? ` stroke-opacity="${opacity}"` : ''}/>`;
}

function text(x: number, y: number, content: string, colour: string, size: number, anchor: string, extra = ''): string {
  return `<text x="${f(x)}" y="${f(y)}" fill="${attr(colour)}" font-size="${size}" text-anchor="${anchor}" ${extra}>${esc(content)}</text>`;
}

function extent(arrays: Float64Array[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays) for (const v of a) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return Number.isFinite(min) ? [min, max] : [0, 1];
}

function padded([min, max]: [number, number]): [number, number] {
  const pad = (max - min) * 0.04 || Math.abs(min) * 0.1 || 1;
  return [min - pad, max + pad];
}

function f(v: number): string {
  return v.toFixed(1);
}

function esc(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

function attr(text: string): string {
  return esc(text).replace(/"/g, '&quot;');
}
