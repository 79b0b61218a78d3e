// The samples table: one page of a checkpoint's sampled completions (the host pages and searches; this draws what
// it gets) in @vscode-elements table components, and the full prompt and completion of the row clicked.
import type { SampleRow, SamplesPageMessage } from '../../src/extension/panels/evaluation/protocol';
import { element, formatNumber } from '../results/dom';

const COLUMNS = ['#', 'split', 'prompt', 'completion', 'reward', 'quantile', 'length'];
const WIDTHS = ['5%', '9%', '27%', '35%', '8%', '8%', '8%'];

export function samplesTable(page: SamplesPageMessage, onSelect: (row: SampleRow) => void): HTMLElement {
  const table = element('vscode-table');
  table.setAttribute('zebra', '');
  table.setAttribute('bordered-rows', '');
  table.setAttribute('resizable', '');
  table.setAttribute('columns', JSON.stringify(WIDTHS));
  const header = element('vscode-table-header');
  header.setAttribute('slot', 'header');
  for (const label of COLUMNS) header.append(element('vscode-table-header-cell', label));
  const body = element('vscode-table-body');
  body.setAttribute('slot', 'body');
  for (const row of page.rows) {
    const tr = element('vscode-table-row');
    tr.dataset.line = String(row.line);
    tr.tabIndex = 0;
    tr.append(
      cell(String(row.line + 1)),
      cell(row.split),
      textCell(row.prompt),
      textCell(row.completion),
      cell(formatNumber(row.reward)),
      cell(formatNumber(row.quantile, 3)),
      cell(row.length === null ? '–' : String(row.length)),
    );
    const select = () => {
      body.querySelectorAll('vscode-table-row.selected').forEach((r) => r.classList.remove('selected'));
      tr.classList.add('selected');
      onSelect(row);
    };
    tr.addEventListener('click', select);
    tr.addEventListener('keydown', (e) => e.key === 'Enter' && select());
    body.append(tr);
  }
  table.append(header, body);
  return table;
}

/** The whole prompt and completion of one sample, with the numbers the table leaves out. */
export function sampleDetail(row: SampleRow): HTMLElement {
  const box = element('div', '', 'sample-detail');
  const prompt = element('div');
  prompt.append(element('strong', 'Prompt'), element('pre', row.prompt));
  const completion = element('div');
  const facts = [
    `reward ${formatNumber(row.reward)}`,
    `LC reward ${formatNumber(row.lcReward)}`,
    `quantile ${formatNumber(row.quantile, 3)}`,
    `implicit reward ${formatNumber(row.implicitReward)}`,
    `${row.length ?? '–'} tokens`,
    row.finishReason ? `finished by ${row.finishReason}` : '',
  ].filter(Boolean);
  completion.append(element('strong', 'Completion'), element('span', `  ${facts.join(' · ')}`, 'hint'), element('pre', row.completion));
  box.append(prompt, completion);
  return box;
}

function cell(text: string): HTMLElement {
  return element('vscode-table-cell', text);
}

function textCell(text: string): HTMLElement {
  const c = element('vscode-table-cell', '', 'text');
  c.append(element('div', text, 'clip'));
  c.title = text.length > 600 ? `${text.slice(0, 600)}…` : text;
  return c;
}
