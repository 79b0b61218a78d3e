// One chart's export in each format, with the theme's colours: PNG from the canvas (base64), SVG drawn from the
// data, CSV and JSON of the full-resolution series.
import type { ExportFormat } from '../../src/extension/panels/trainingCurves/protocol';
import { chartCsv, chartJson } from '../shared/chartDataExport';
import type { ChartContent, ExportColours } from '../shared/chartSeries';
import { chartPngBase64 } from '../shared/pngChartExport';
import { lineChartSvg } from '../shared/svgLineChart';
import { readChartTheme } from '../theme';

export interface ExportFile {
  readonly fileName: string;
  readonly encoding: 'base64' | 'utf8';
  readonly content: string;
}

export function chartDataExport(format: ExportFormat, content: ChartContent, canvas: HTMLCanvasElement): ExportFile {
  const fileName = `${content.title.replace(/[/\\:*?"<>|]+/g, '-')}.${format}`;
  switch (format) {
    case 'png':
      return { fileName, encoding: 'base64', content: chartPngBase64(canvas, content, exportColours()) };
    case 'svg':
      return { fileName, encoding: 'utf8', content: lineChartSvg(content, exportColours()) };
    case 'csv':
      return { fileName, encoding: 'utf8', content: chartCsv(content) };
    case 'json':
      return { fileName, encoding: 'utf8', content: chartJson(content) };
  }
}

function exportColours(): ExportColours {
  const theme = readChartTheme();
  const background = getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim() || '#1e1e1e';
  return { background, foreground: theme.foreground, muted: theme.mutedForeground, grid: theme.grid, fontFamily: theme.fontFamily };
}
