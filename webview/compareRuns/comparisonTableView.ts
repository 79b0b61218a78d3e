// The Compare Runs table: one column per run (with its curve colour), then the config fields that differ, the
// final/best logged metrics and the latest evaluation's headline numbers. The best value of a row is marked, where
// "best" has a direction (lowest loss, highest mean quantile, length-bias ρ closest to 0).
import type { Better, ComparisonTable, NumberRow } from '../../src/extension/panels/compareRuns/protocol';
import { formatTick } from '../shared/axisTicks';
import { element } from '../shared/domElements';
import { runColour } from '../shared/runColours';

export function comparisonTableElement(table: ComparisonTable): HTMLElement {
  const el = element('table', '', 'comparison');
  const head = element('thead');
  const headRow = element('tr');
  headRow.append(element('th', ''));
  for (const run of table.runs) {
    const th = element('th');
    th.title = run.displayPath;
    const swatch = element('span', '', 'swatch');
    swatch.style.backgroundColor = runColour(run.id);
    th.append(swatch, element('span', run.name));
    headRow.append(th);
  }
  head.append(headRow);
  const body = element('tbody');
  section(body, table, `Config: ${table.config.length} fields differ, ${table.identicalFields} identical`);
  if (table.config.length === 0) body.append(noteRow(table, 'The runs have the same config.'));
  for (const diff of table.config) body.append(row(diff.field, diff.values.map((v) => v ?? '—'), 'config'));
  section(body, table, 'Training metrics (metrics.jsonl)');
  if (table.metrics.length === 0) body.append(noteRow(table, 'No metrics logged yet.'));
  for (const r of table.metrics) body.append(numberRow(r));
  section(body, table, 'Latest evaluation (reporting split)');
  if (table.evals.length === 0) body.append(noteRow(table, 'No run has an evaluation yet (evals/<step>/summary.json).'));
  else body.append(row('evaluated at step', table.evalSteps.map((s) => (s === null ? '—' : String(s))), 'number'));
  for (const r of table.evals) body.append(numberRow(r));
  el.append(head, body);
  return el;
}

function section(body: HTMLElement, table: ComparisonTable, title: string): void {
  const tr = element('tr', '', 'section');
  const th = element('th', title);
  th.colSpan = table.runs.length + 1;
  tr.append(th);
  body.append(tr);
}

function noteRow(table: ComparisonTable, text: string): HTMLElement {
  const tr = element('tr');
  const td = element('td', text, 'hint');
  td.colSpan = table.runs.length + 1;
  tr.append(td);
  return tr;
}

function row(label: string, cells: readonly string[], kind: 'config' | 'number', best?: number[]): HTMLElement {
  const tr = element('tr');
  tr.append(element('th', label, 'row-label'));
  cells.forEach((text, i) => {
    const td = element('td', text, kind);
    if (best?.includes(i)) {
      td.classList.add('best');
      td.title = 'best of these runs';
    }
    tr.append(td);
  });
  return tr;
}

function numberRow(r: NumberRow): HTMLElement {
  const tr = row(r.label, r.values.map((v) => (v === null ? '—' : formatNumber(v))), 'number', bestIndices(r.values, r.better));
  tr.title = r.source;
  r.best?.forEach((best, i) => {
    if (best === null || best === r.values[i]) return;
    tr.children[i + 1].append(element('span', ` (best ${formatNumber(best)})`, 'best-over-training'));
  });
  return tr;
}

function bestIndices(values: readonly (number | null)[], better: Better | undefined): number[] {
  const present = values.filter((v): v is number => v !== null);
  if (!better || present.length < 2) return [];
  const score = (v: number) => (better === 'max' ? v : better === 'min' ? -v : -Math.abs(v));
  const best = Math.max(...present.map(score));
  return values.flatMap((v, i) => (v !== null && score(v) === best ? [i] : []));
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  return Math.abs(value) >= 1e4 ? formatTick(value) : value.toPrecision(4);
}
