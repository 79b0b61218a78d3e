// A chart canvas as a PNG that stands on its own: the theme's background (a transparent canvas would lose dark
// theme text on a white viewer), the title above, the chart, and a legend of the runs below. Returns base64.
import type { ChartContent, ExportColours } from './chartSeries';

const padding = 16;
const titleHeight = 28;
const legendRowHeight = 20;

export function chartPngBase64(canvas: HTMLCanvasElement, chart: ChartContent, colours: ExportColours): string {
  const scale = canvas.width / Math.max(1, canvas.clientWidth || canvas.width);
  const columns = Math.max(1, Math.floor(canvas.width / (220 * scale)));
  const legendRows = Math.ceil(chart.series.length / columns);
  const out = document.createElement('canvas');
  out.width = canvas.width + 2 * padding * scale;
  out.height = canvas.height + (2 * padding + titleHeight + legendRows * legendRowHeight) * scale;
  const g = out.getContext('2d')!;
  g.fillStyle = colours.background;
  g.fillRect(0, 0, out.width, out.height);
  g.scale(scale, scale);
  g.fillStyle = colours.foreground;
  g.font = `600 15px ${colours.fontFamily}`;
  g.textBaseline = 'middle';
  g.fillText(chart.title, padding, padding + titleHeight / 2);
  g.setTransform(1, 0, 0, 1, 0, 0);
  g.drawImage(canvas, padding * scale, (padding + titleHeight) * scale);
  g.scale(scale, scale);
  const legendTop = padding + titleHeight + canvas.height / scale + 8;
  const columnWidth = canvas.width / scale / columns;
  g.font = `12px ${colours.fontFamily}`;
  chart.series.forEach((s, i) => {
    const x = padding + (i % columns) * columnWidth;
    const y = legendTop + Math.floor(i / columns) * legendRowHeight;
    g.fillStyle = s.colour;
    g.fillRect(x, y - 2, 14, 4);
    g.fillStyle = colours.foreground;
    g.fillText(s.label, x + 20, y, columnWidth - 28);
  });
  return out.toDataURL('image/png').slice('data:image/png;base64,'.length);
}
