// The Evaluation panel in the webview: the per-checkpoint summary on a chosen split, and the samples table with a
// checkpoint selector, host-side search and paging. The host owns the data and the view state; this module keeps
// a copy in setState so a reload restores the same page, and reports each part drawn as `rendered`.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type {
  EvaluationDataMessage,
  EvaluationPanelState,
  EvaluationViewState,
  RequestSamplesMessage,
  SamplesPageMessage,
  SelectSplitMessage,
} from '../../src/extension/panels/evaluation/protocol';
import { EvaluationPart } from '../../src/extension/panels/evaluation/protocol';
import type { SplitChoice } from '../../src/extension/panels/results/commonProtocol';
import { postToHost, saveState } from '../vscodeApi';
import { element, exportButtons, stepName } from '../results/dom';
import { reportRendered, resultsShell } from '../results/resultsShell';
import { checkpointTable } from './checkpointTable';
import { asEvaluationHostMessage } from './hostMessageGuard';
import { sampleDetail, samplesTable } from './samplesTable';

const SEARCH_DEBOUNCE_MS = 250;

export function mountEvaluation(root: HTMLElement): void {
  const shell = resultsShell(root, 'Evaluation', 'evaluation');
  const splitSelect = select([
    ['all', 'All prompts'],
    ['selection', 'Selection split'],
    ['reporting', 'Reporting split'],
  ]);
  const summaryHeading = element('h2', 'Checkpoints');
  summaryHeading.append(exportButtons('summary', 'the checkpoint summary'));
  const summaryToolbar = element('div', '', 'toolbar');
  summaryToolbar.append(labelled('Split', splitSelect));
  const summaryBody = element('div');
  const summary = element('section', '', 'block');
  summary.append(summaryHeading, summaryToolbar, summaryBody);

  const stepSelect = select([]);
  const search = element('vscode-textfield') as HTMLElement & { value: string };
  search.setAttribute('placeholder', 'Search prompts and completions');
  const samplesHeading = element('h2', 'Samples');
  samplesHeading.append(exportButtons('samples', 'the samples shown (all pages)'));
  const samplesToolbar = element('div', '', 'toolbar');
  samplesToolbar.append(labelled('Checkpoint', stepSelect), search);
  const previous = button('Previous', 'chevron-left');
  const next = button('Next', 'chevron-right');
  const range = element('span', '', 'range');
  const pager = element('div', '', 'pager');
  pager.append(previous, range, next);
  const tableBox = element('div');
  const detail = element('div');
  const samples = element('section', '', 'block');
  samples.append(samplesHeading, samplesToolbar, pager, tableBox, detail);
  summary.hidden = true;
  samples.hidden = true;
  shell.append(summary, samples);

  let data: EvaluationDataMessage | undefined;
  let page: SamplesPageMessage | undefined;
  let view: EvaluationViewState = { split: 'all', query: '', offset: 0 };

  const remember = () => data && saveState<EvaluationPanelState>({ run: data.header.run, view });
  const requestSamples = (changes: Partial<EvaluationViewState>) => {
    view = { ...view, ...changes };
    remember();
    const step = view.tableStep ?? data?.steps[data.steps.length - 1];
    if (step !== undefined) postToHost<RequestSamplesMessage>({ type: 'requestSamples', step, query: view.query, offset: view.offset });
  };

  splitSelect.addEventListener('change', () => {
    view = { ...view, split: splitSelect.value as SplitChoice };
    remember();
    postToHost<SelectSplitMessage>({ type: 'selectSplit', split: view.split });
    if (data) drawSummary(data);
  });
  stepSelect.addEventListener('change', () => requestSamples({ tableStep: Number(stepSelect.value), offset: 0 }));
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => requestSamples({ query: search.value, offset: 0 }), SEARCH_DEBOUNCE_MS);
  });
  previous.addEventListener('click', () => page && requestSamples({ offset: Math.max(0, page.offset - page.pageSize) }));
  next.addEventListener('click', () => page && page.offset + page.pageSize < page.total && requestSamples({ offset: page.offset + page.pageSize }));

  function drawSummary(d: EvaluationDataMessage): void {
    summaryBody.replaceChildren(checkpointTable(d.checkpoints, view.split));
    const count = d.checkpoints.filter((r) => r.split === view.split).length;
    reportRendered(EvaluationPart.summary, count);
  }

  shell.connect(asEvaluationHostMessage, (m) => {
    if (m.type === 'data') {
      data = m;
      view = m.view;
      remember();
      shell.showRuns([m.header]);
      shell.showNotes(m.notes);
      summary.hidden = m.steps.length === 0;
      samples.hidden = m.steps.length === 0;
      const splits = new Set(m.checkpoints.map((r) => r.split));
      for (const option of Array.from(splitSelect.children) as HTMLElement[]) option.toggleAttribute('disabled', !splits.has(option.getAttribute('value') as SplitChoice));
      splitSelect.value = view.split;
      setOptions(stepSelect, m.steps.map((s) => [String(s), stepName(s)]));
      stepSelect.value = String(view.tableStep ?? m.steps[m.steps.length - 1] ?? '');
      if (search.value !== view.query) search.value = view.query;
      drawSummary(m);
      if (m.steps.length === 0) reportRendered(EvaluationPart.samples, 0);
      return;
    }
    page = m;
    view = { ...view, tableStep: m.step, query: m.query, offset: m.offset };
    remember();
    stepSelect.value = String(m.step);
    const last = Math.min(m.total, m.offset + m.rows.length);
    range.textContent = m.total === 0 ? (m.query ? `No sample matches “${m.query}”` : 'No samples') : `${m.offset + 1}–${last} of ${m.total}${m.query ? ` matching “${m.query}” (${m.lines} in all)` : ''}`;
    previous.toggleAttribute('disabled', m.offset === 0);
    next.toggleAttribute('disabled', m.offset + m.pageSize >= m.total);
    tableBox.replaceChildren(samplesTable(m, (row) => detail.replaceChildren(sampleDetail(row))));
    detail.replaceChildren();
    reportRendered(EvaluationPart.samples, m.rows.length);
  });
}

type Select = HTMLElement & { value: string };

function select(options: [string, string][]): Select {
  const s = element('vscode-single-select') as Select;
  setOptions(s, options);
  return s;
}

function setOptions(s: HTMLElement, options: [string, string][]): void {
  s.replaceChildren(
    ...options.map(([value, label]) => {
      const option = element('vscode-option', label);
      option.setAttribute('value', value);
      return option;
    }),
  );
}

function labelled(text: string, control: HTMLElement): HTMLElement {
  const label = element('label', text);
  label.append(control);
  return label;
}

function button(text: string, icon: string): HTMLElement {
  const b = element('vscode-button', text);
  b.setAttribute('secondary', '');
  b.setAttribute('icon', icon);
  return b;
}
