// The curves part of the Training Curves and Compare Runs panels: toolbar (x axis, smoothing, metric picker),
// a legend of runs that toggles them, and one chart per chosen metric. It keeps the view state, tells the app
// when the view changed (to save it) and when a render is on screen (with its cost), and produces exports.
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type {
  CurvesViewState,
  ExportFormat,
  MetricColumns,
  RunSnapshot,
  XAxis,
} from '../../src/extension/panels/trainingCurves/protocol';
import { chartDataExport } from './chartExports';
import type { ChartContent } from '../shared/chartSeries';
import { element } from '../shared/domElements';
import { runColour } from '../shared/runColours';
import { readChartTheme } from '../theme';
import { axisLabel, chartContent } from './curveContent';
import { createCurveChart, updateCurveChart, type CurveChart } from './curveChart';
import { defaultSelection, MetricPicker } from './metricPicker';
import { RunSeriesStore } from './runSeriesStore';

export interface RenderReport {
  readonly points: number;
  readonly ms: number;
  readonly charts: number;
  readonly runs: number;
  readonly rows: Record<string, number>;
  readonly digest: number;
  readonly view: CurvesViewState;
}

export interface CurvesViewEvents {
  onViewChange(view: CurvesViewState): void;
  onRendered(report: RenderReport): void;
  /** The person clicked an export button; the app sends the file to the host, which asks where to save it. */
  onExportClicked(metric: string, format: ExportFormat): void;
}

interface ChartSlot {
  readonly figure: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  readonly empty: HTMLElement;
  chart?: CurveChart;
  content?: ChartContent;
}

const defaultSmoothing = 0.6;

export class CurvesView {
  readonly store = new RunSeriesStore();
  private view: CurvesViewState = { metrics: [], xAxis: 'step', smoothing: defaultSmoothing, hiddenRuns: [] };
  private readonly slots = new Map<string, ChartSlot>();
  private readonly picker: MetricPicker;
  private readonly axisSelect: HTMLElement & { value: string };
  private readonly smoothingInput: HTMLInputElement;
  private readonly smoothingValue: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly message: HTMLElement;
  private renderQueued = false;
  private renderStartedAt = 0;

  constructor(root: HTMLElement, private readonly events: CurvesViewEvents) {
    const toolbar = element('div', '', 'toolbar');
    this.axisSelect = element('vscode-single-select') as HTMLElement & { value: string };
    this.axisSelect.setAttribute('aria-label', 'x axis');
    this.axisSelect.addEventListener('change', () => this.change({ xAxis: this.axisSelect.value as XAxis }));
    this.smoothingInput = element('input');
    Object.assign(this.smoothingInput, { type: 'range', min: '0', max: '0.99', step: '0.01' });
    this.smoothingInput.setAttribute('aria-label', 'smoothing');
    this.smoothingInput.addEventListener('input', () => this.change({ smoothing: Number(this.smoothingInput.value) }));
    this.smoothingValue = element('span', '', 'smoothing-value');
    const axisLabelEl = element('label', 'x axis ');
    axisLabelEl.append(this.axisSelect);
    const smoothingLabel = element('label', 'smoothing ');
    smoothingLabel.title = 'TensorBoard\'s debiased exponential moving average; the raw series is drawn faint behind.';
    smoothingLabel.append(this.smoothingInput, this.smoothingValue);
    toolbar.append(axisLabelEl, smoothingLabel);
    this.picker = new MetricPicker((metrics) => this.change({ metrics }));
    this.legend = element('div', '', 'legend');
    this.message = element('p', 'Loading…', 'message');
    this.grid = element('div', '', 'chart-grid');
    root.append(toolbar, this.picker.element, this.legend, this.message, this.grid);
  }

  get state(): CurvesViewState {
    return this.view;
  }

  showSnapshot(runs: readonly RunSnapshot[], view: Partial<CurvesViewState>, receivedAt: number): void {
    this.store.replace(runs);
    const available = this.store.metricNames();
    this.view = {
      metrics: view.metrics ?? defaultSelection(available),
      xAxis: view.xAxis ?? 'step',
      smoothing: view.smoothing ?? defaultSmoothing,
      hiddenRuns: view.hiddenRuns ?? [],
    };
    if (!this.axisAvailable(this.view.xAxis)) this.view = { ...this.view, xAxis: 'step' };
    this.refreshControls();
    this.scheduleRender(receivedAt);
    this.events.onViewChange(this.view);
  }

  /** False when the rows leave a gap: the caller asks for a resync. */
  append(runId: string, start: number, metrics: MetricColumns, receivedAt: number): boolean {
    if (!this.store.append(runId, start, metrics)) return false;
    this.refreshControls();
    this.scheduleRender(receivedAt);
    return true;
  }

  applyView(view: Partial<CurvesViewState>): void {
    this.change(view);
  }

  /** The export of one metric's chart; undefined when that chart is not shown. */
  exportChart(metric: string, format: ExportFormat): { fileName: string; encoding: 'base64' | 'utf8'; content: string } | undefined {
    const slot = this.slots.get(metric);
    if (!slot?.content) return undefined;
    return chartDataExport(format, slot.content, slot.canvas);
  }

  /** Re-renders with the current theme's colours. */
  restyle(): void {
    this.scheduleRender(performance.now());
  }

  private change(partial: Partial<CurvesViewState>): void {
    this.view = { ...this.view, ...partial };
    this.refreshControls();
    this.scheduleRender(performance.now());
    this.events.onViewChange(this.view);
  }

  private axisAvailable(axis: XAxis): boolean {
    return axis === 'step' || this.store.hasColumn(axis === 'tokens' ? 'num_tokens' : 'time');
  }

  private refreshControls(): void {
    const axes = (['step', 'tokens', 'time'] as const).filter((axis) => this.axisAvailable(axis));
    const current = [...this.axisSelect.querySelectorAll('vscode-option')].map((o) => o.getAttribute('value'));
    if (current.join() !== axes.join()) {
      // Wall time is offered only when the metrics carry a time field; tokens only with num_tokens.
      this.axisSelect.replaceChildren(
        ...axes.map((axis) => {
          const option = element('vscode-option', axisLabel[axis]);
          option.setAttribute('value', axis);
          return option;
        }),
      );
    }
    this.axisSelect.value = this.view.xAxis;
    this.smoothingInput.value = String(this.view.smoothing);
    this.smoothingValue.textContent = this.view.smoothing.toFixed(2);
    this.picker.update(this.store.metricNames(), this.view.metrics);
    this.renderLegend();
  }

  private renderLegend(): void {
    const hidden = new Set(this.view.hiddenRuns);
    this.legend.replaceChildren(
      ...this.store.all().map((run) => {
        const chip = element('button', '', 'run-chip');
        chip.type = 'button';
        chip.title = `${run.displayPath} · ${run.rows} logged steps · click to ${hidden.has(run.id) ? 'show' : 'hide'}`;
        chip.classList.toggle('off', hidden.has(run.id));
        chip.setAttribute('aria-pressed', String(!hidden.has(run.id)));
        const swatch = element('span', '', 'swatch');
        swatch.style.backgroundColor = runColour(run.id);
        chip.append(swatch, element('span', run.name));
        chip.addEventListener('click', () => {
          const next = hidden.has(run.id) ? this.view.hiddenRuns.filter((id) => id !== run.id) : [...this.view.hiddenRuns, run.id];
          this.change({ hiddenRuns: next });
        });
        return chip;
      }),
    );
  }

  /** Coalesces bursts (slider drags, several appends) into one render per frame; timing starts at the first. */
  private scheduleRender(startedAt: number): void {
    if (!this.renderQueued) this.renderStartedAt = startedAt;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      if (!this.renderQueued) return;
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    const runs = this.store.all();
    const theme = readChartTheme();
    this.message.hidden = runs.some((run) => run.rows > 0);
    this.message.textContent = runs.length ? 'No metrics logged yet: metrics.jsonl is empty or missing. The charts appear as the run logs.' : 'No runs.';
    for (const [metric, slot] of this.slots) {
      if (this.view.metrics.includes(metric)) continue;
      slot.chart?.destroy();
      slot.figure.remove();
      this.slots.delete(metric);
    }
    let points = 0;
    let digest = 0;
    this.view.metrics.forEach((metric) => {
      const slot = this.slots.get(metric) ?? this.createSlot(metric);
      this.grid.append(slot.figure); // appending an attached node moves it: the grid follows the chosen order
      const content = chartContent(runs, metric, this.view);
      slot.content = content;
      const hasData = content.series.length > 0;
      slot.empty.hidden = hasData;
      slot.canvas.hidden = !hasData;
      if (!hasData) {
        slot.chart?.destroy();
        slot.chart = undefined;
        return;
      }
      if (slot.chart) {
        const stats = updateCurveChart(slot.chart, content, theme);
        points += stats.points;
        digest += stats.digest;
      } else {
        const { chart, stats } = createCurveChart(slot.canvas, content, theme);
        slot.chart = chart;
        points += stats.points;
        digest += stats.digest;
      }
    });
    // The frame after drawing: chart.js drew synchronously, the browser has now composited it.
    requestAnimationFrame(() =>
      this.events.onRendered({
        points,
        ms: performance.now() - this.renderStartedAt,
        charts: [...this.slots.values()].filter((s) => s.chart).length,
        runs: runs.length,
        rows: this.store.rowCounts(),
        digest,
        view: this.view,
      }),
    );
  }

  private createSlot(metric: string): ChartSlot {
    const figure = element('figure', '', 'curve');
    figure.dataset.metric = metric;
    const caption = element('figcaption');
    const actions = element('span', '', 'export-actions');
    for (const format of ['png', 'svg', 'csv', 'json'] as const) {
      const button = element('button', format.toUpperCase(), 'export');
      button.type = 'button';
      button.title = `Export ${metric} as ${format.toUpperCase()}`;
      button.addEventListener('click', () => this.events.onExportClicked(metric, format));
      actions.append(button);
    }
    caption.append(element('span', metric, 'metric-name'), actions);
    const box = element('div', '', 'chart-box');
    const canvas = element('canvas');
    const empty = element('p', `No run logged ${metric}.`, 'hint');
    box.append(canvas, empty);
    figure.append(caption, box);
    const slot: ChartSlot = { figure, canvas, empty };
    this.slots.set(metric, slot);
    return slot;
  }
}
