// The Quantile Rewards panel in the webview: asks the host for data, draws the summary and the two histograms,
// follows the colour theme, and tells the host when a render is on screen.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import type {
  QuantileRewardsDataMessage,
  QuantileRewardsPanelState,
  ReadyMessage,
  RenderedMessage,
} from '../../src/extension/panels/quantileRewards/protocol';
import { Chart } from '../results/registeredChart';
import { onThemeChange, readChartTheme } from '../theme';
import { postToHost, saveState } from '../vscodeApi';
import { asHostMessage } from './hostMessageGuard';
import { quantileChartConfig, restyle, targetChartConfig } from './quantileCharts';

type PanelChart = Chart<'bar' | 'line', number[], string>;

export function mountQuantileRewards(root: HTMLElement): void {
  const view = buildSkeleton(root);
  let charts: PanelChart[] = [];

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const message = asHostMessage(event.data);
    if (!message) return;
    charts.forEach((chart) => chart.destroy());
    charts = [];
    if (message.type === 'loadError') {
      showMessage(view, `Could not read ${message.displayPath}: ${message.message}`, true);
      return;
    }
    saveState<QuantileRewardsPanelState>({ file: message.file, preparation: message.preparation });
    charts = draw(view, message);
    // Two frames: chart.js has drawn synchronously, and the browser has laid out and painted the canvases.
    requestAnimationFrame(() => requestAnimationFrame(() => postToHost<RenderedMessage>({ type: 'rendered', records: message.records })));
  });

  onThemeChange(() => {
    const theme = readChartTheme();
    charts.forEach((chart, i) => restyle(chart, theme, i === 0 ? [theme.primary, theme.reference] : [theme.secondary]));
  });

  postToHost<ReadyMessage>({ type: 'ready' });
}

interface Skeleton {
  readonly badge: HTMLElement;
  readonly path: HTMLElement;
  readonly message: HTMLElement;
  readonly summary: HTMLElement;
  readonly charts: HTMLElement;
  readonly quantileCanvas: HTMLCanvasElement;
  readonly targetCanvas: HTMLCanvasElement;
}

function buildSkeleton(root: HTMLElement): Skeleton {
  const header = element('header');
  const badge = element('vscode-badge');
  badge.setAttribute('variant', 'counter');
  header.append(element('h1', 'Quantile rewards'), badge);
  const path = element('p', '', 'file-path');
  const message = element('p', 'Loading…', 'message');
  const summary = element('section', '', 'summary');
  const charts = element('section', '', 'charts');
  const quantileCanvas = document.createElement('canvas');
  const targetCanvas = document.createElement('canvas');
  charts.append(
    figure('Quantiles against the reference', 'Uniform(0, 1) is what samples from π_ref would give.', quantileCanvas),
    figure('Regression targets', 'f(q) − β·log Z, what β·log(π/π_ref) is trained towards.', targetCanvas),
  );
  charts.hidden = true;
  root.append(header, path, message, summary, charts);
  return { badge, path, message, summary, charts, quantileCanvas, targetCanvas };
}

function draw(view: Skeleton, data: QuantileRewardsDataMessage): PanelChart[] {
  view.badge.textContent = `${data.records} records`;
  view.path.textContent = data.displayPath;
  view.message.hidden = data.records > 0;
  view.message.textContent = data.records > 0 ? '' : 'No records with numeric quantile and target in this file.';
  view.message.classList.remove('error');
  view.summary.replaceChildren(summaryTable(data));
  view.charts.hidden = data.records === 0;
  if (data.records === 0) return [];
  const theme = readChartTheme();
  return [
    new Chart(view.quantileCanvas, quantileChartConfig(data.quantiles, theme)) as PanelChart,
    new Chart(view.targetCanvas, targetChartConfig(data.targets, theme)) as PanelChart,
  ];
}

function summaryTable(data: QuantileRewardsDataMessage): HTMLElement {
  const rows: [string, string][] = [
    ['Records', String(data.records)],
    ['Mean quantile', data.records ? mean(data.quantiles).toFixed(4) : '–'],
    ['Mean target', data.records ? mean(data.targets).toFixed(4) : '–'],
  ];
  if (data.preparation) {
    rows.push(['Transform', data.preparation.transform], ['β', String(data.preparation.beta)]);
    if (data.preparation.logZ !== undefined) rows.push(['log Z', data.preparation.logZ.toPrecision(10)]);
    if (data.preparation.numRef !== undefined) rows.push(['Reference rewards per prompt', String(data.preparation.numRef)]);
  }
  if (data.skippedLines) rows.push(['Skipped lines', String(data.skippedLines)]);

  const table = element('vscode-table');
  table.setAttribute('zebra', '');
  table.setAttribute('bordered-rows', '');
  table.setAttribute('columns', JSON.stringify(['50%', '50%']));
  const body = element('vscode-table-body');
  body.setAttribute('slot', 'body');
  for (const [name, value] of rows) {
    const row = element('vscode-table-row');
    row.append(element('vscode-table-cell', name), element('vscode-table-cell', value));
    body.append(row);
  }
  table.append(body);
  return table;
}

function showMessage(view: Skeleton, text: string, isError: boolean): void {
  view.message.hidden = false;
  view.message.textContent = text;
  view.message.classList.toggle('error', isError);
  view.charts.hidden = true;
}

function figure(title: string, hint: string, canvas: HTMLCanvasElement): HTMLElement {
  const caption = element('figcaption', title);
  caption.append(element('span', hint, 'hint'));
  const box = element('div', '', 'chart-box');
  box.append(canvas);
  const fig = element('figure');
  fig.append(caption, box);
  return fig;
}

function element(tag: string, text = '', className = ''): HTMLElement {
  const el = document.createElement(tag);
  if (text) el.textContent = text;
  if (className) el.className = className;
  return el;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

