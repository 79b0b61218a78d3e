// The Dataset Preview editor in the webview: one page of rows at a time, each raw row beside the pointwise records
// the engine makes of it, or its validation problem (file:line, field, message) in the error colour; counts of the
// whole file once the host's background pass is done; and a filter that pages through invalid rows only.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import {
  DatasetPreviewPart,
  type DatasetCountsMessage,
  type DatasetPageMessage,
  type PreviewRecord,
  type PreviewRow,
  type RequestPageMessage,
} from '../../src/extension/datasets/protocol';
import type { PanelRenderedMessage, ReadyMessage } from '../../src/extension/panels/results/commonProtocol';
import { adoptStyles } from '../shared/adoptStyles';
import { afterPaint, element, formatNumber, panelHeader } from '../results/dom';
import { resultsCss } from '../results/resultsStyles';
import { postToHost, saveState } from '../vscodeApi';
import { asDatasetPreviewHostMessage } from './hostMessageGuard';

interface PreviewState {
  readonly offset: number;
  readonly onlyInvalid: boolean;
}

export function mountDatasetPreview(root: HTMLElement): void {
  adoptStyles(resultsCss);
  const { header, heading, facts, path } = panelHeader('Dataset preview');
  const message = element('p', 'Reading…', 'message');
  const counts = element('p', 'Counting rows…', 'hint');
  const problems = element('ul', '', 'problem-list problem');
  problems.hidden = true;

  const onlyInvalid = element('vscode-checkbox') as HTMLElement & { checked: boolean };
  onlyInvalid.setAttribute('label', 'Invalid rows only');
  const previous = element('vscode-button', 'Previous');
  previous.setAttribute('secondary', '');
  previous.setAttribute('icon', 'chevron-left');
  const next = element('vscode-button', 'Next');
  next.setAttribute('secondary', '');
  next.setAttribute('icon-after', 'chevron-right');
  const range = element('span', '', 'range');
  const pager = element('div', '', 'pager');
  pager.append(previous, range, next, onlyInvalid);
  const rows = element('div', '', 'rows');
  root.append(header, path, counts, problems, pager, message, rows);

  let page: DatasetPageMessage | undefined;
  const request = (offset: number, invalid: boolean) => {
    saveState<PreviewState>({ offset, onlyInvalid: invalid });
    postToHost<RequestPageMessage>({ type: 'requestPage', offset, onlyInvalid: invalid });
  };
  previous.addEventListener('click', () => page && page.offset > 0 && request(Math.max(0, page.offset - page.pageSize), page.onlyInvalid));
  next.addEventListener('click', () => page?.hasMore && request(page.offset + page.pageSize, page.onlyInvalid));
  onlyInvalid.addEventListener('change', () => request(0, onlyInvalid.checked));

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const m = asDatasetPreviewHostMessage(event.data);
    if (!m) return;
    if (m.type === 'loadError') {
      path.textContent = m.displayPath;
      message.hidden = false;
      message.textContent = m.message;
      message.classList.add('error');
      afterPaint(() => postToHost<PanelRenderedMessage>({ type: 'rendered', what: DatasetPreviewPart.page, count: 0 }));
      return;
    }
    if (m.type === 'counts') {
      drawCounts(m);
      return;
    }
    page = m;
    heading.textContent = `Dataset preview: ${m.displayPath.split('/').pop()}`;
    facts.textContent = m.format.toUpperCase();
    path.textContent = m.displayPath;
    message.hidden = m.rows.length > 0;
    message.textContent = m.onlyInvalid ? 'No invalid rows.' : 'No rows.';
    message.classList.remove('error');
    onlyInvalid.checked = m.onlyInvalid;
    const first = m.rows[0]?.position;
    range.textContent = m.rows.length ? `${m.onlyInvalid ? 'Invalid rows' : 'Rows'} ${m.offset + 1}–${m.offset + m.rows.length}${first === undefined ? '' : ` (from ${unitName(m.rows[0])} ${m.rows[0].line})`}` : '';
    previous.toggleAttribute('disabled', m.offset === 0);
    next.toggleAttribute('disabled', !m.hasMore);
    rows.replaceChildren(...m.rows.map(rowView));
    afterPaint(() => postToHost<PanelRenderedMessage>({ type: 'rendered', what: DatasetPreviewPart.page, count: m.rows.length }));
  });

  function drawCounts(m: DatasetCountsMessage): void {
    counts.textContent = `${m.rows} rows → ${m.records} records for training${m.invalidRows ? `; ${m.invalidRows} invalid rows would be skipped` : '; every row is valid'}.`;
    problems.replaceChildren(...m.firstProblems.slice(0, 20).map((p) => element('li', `${p.location}${p.field ? ` (${p.field})` : ''}: ${p.message}`)));
    problems.hidden = m.firstProblems.length === 0;
  }

  postToHost<ReadyMessage>({ type: 'ready' });
}

function unitName(row: PreviewRow): string {
  return row.unit === 'line' ? 'line' : 'row';
}

function rowView(row: PreviewRow): HTMLElement {
  const box = element('div', '', row.problem ? 'dataset-row invalid' : 'dataset-row');
  box.dataset.line = String(row.line);
  const where = element('div', `${unitName(row)} ${row.line}`, 'where');
  const raw = element('pre', row.raw ?? '(could not be read)');
  const right = element('div');
  if (row.problem) {
    const problem = element('div', '', 'problem');
    problem.append(element('strong', `${row.problem.location}${row.problem.field ? ` · field "${row.problem.field}"` : ''}`), element('div', row.problem.message));
    right.append(problem);
  }
  for (const record of row.records) right.append(recordView(record));
  box.append(where, raw, right);
  return box;
}

function recordView(record: PreviewRecord): HTMLElement {
  const box = element('div', '', 'record');
  const line = (key: string, value: string) => {
    const p = element('div');
    p.append(element('span', `${key}: `, 'k'), document.createTextNode(value));
    return p;
  };
  if (record.side) box.append(line('side', record.side));
  box.append(line('prompt', record.prompt), line('completion', record.completion), line('reward', formatNumber(record.reward)));
  if (record.refCount) box.append(line('ref_rewards', `${record.refRewards.map((r) => formatNumber(r, 3)).join(', ')}${record.refCount > record.refRewards.length ? ` … (${record.refCount})` : ''}`));
  return box;
}
