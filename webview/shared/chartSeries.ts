// What one line chart shows, independent of how it is drawn: chart.js on the canvas, the SVG and PNG exports and
// the CSV/JSON data exports all take this, so an export is exactly the chart on screen (full resolution for data).
import type { Points } from './downsample';

export interface ChartSeries {
  /** The run's name, shown in legends. */
  readonly label: string;
  readonly id: string;
  readonly colour: string;
  /** Finite points only, x ascending. */
  readonly raw: Points;
  /** The debiased EMA of `raw` at the same x; absent when smoothing is off. */
  readonly smoothed?: Points;
}

export interface ChartContent {
  /** The metric name: the chart's title and the exported file's name. */
  readonly title: string;
  readonly xLabel: string;
  readonly smoothing: number;
  readonly series: readonly ChartSeries[];
  readonly formatX: (value: number) => string;
}

/** Colours an export draws with: the theme's, so a file matches what the person saw. */
export interface ExportColours {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly grid: string;
  readonly fontFamily: string;
}
