// The per-checkpoint summary: one row per evaluated step on the chosen split, the paper's numbers (qrpo.md §8):
// mean reward against the reference's, length-controlled reward, mean quantile against the reference samples, KL
// (k1 and k3, per sequence and per token), mean length and the length-bias ρ. The row with the highest mean LC
// reward on the selection split is marked: the paper picks checkpoints there and reports on the other split.
import type { CheckpointSplitRow } from '../../src/extension/panels/evaluation/protocol';
import type { SplitChoice } from '../../src/extension/panels/results/commonProtocol';
import { element, formatNumber, stepName } from '../results/dom';

interface Column {
  readonly label: string;
  readonly title: string;
  readonly value: (row: CheckpointSplitRow) => string;
}

const COLUMNS: Column[] = [
  { label: 'checkpoint', title: 'Training step; 0 is the model before training', value: (r) => stepName(r.step) },
  { label: 'samples', title: 'Sampled completions (prompts × samples per prompt)', value: (r) => `${r.samples}` },
  { label: 'reward', title: 'Mean reward of the policy’s samples', value: (r) => formatNumber(r.meanReward) },
  { label: 'ref reward', title: 'Mean reward of the reference samples on the same prompts', value: (r) => formatNumber(r.meanRefReward) },
  { label: 'LC reward', title: 'Length-controlled reward (slope fitted on this split)', value: (r) => formatNumber(r.lcReward) },
  { label: 'quantile', title: 'Mean quantile of the samples’ rewards among the reference rewards (0.5 = no better than π_ref)', value: (r) => formatNumber(r.meanQuantile) },
  { label: 'KL k1/seq', title: 'k1 = log πθ − log π_ref, summed per sequence', value: (r) => formatNumber(r.klK1PerSequence) },
  { label: 'KL k1/tok', title: 'k1 per token', value: (r) => formatNumber(r.klK1PerToken) },
  { label: 'KL k3/seq', title: 'k3 = (e^logr − 1) − logr per sequence (unbiased, non-negative)', value: (r) => formatNumber(r.klK3PerSequence) },
  { label: 'KL k3/tok', title: 'k3 per token', value: (r) => formatNumber(r.klK3PerToken) },
  { label: 'length', title: 'Mean completion length in tokens (reference in brackets)', value: (r) => `${formatNumber(r.meanLength, 4)} (${formatNumber(r.meanRefLength, 4)})` },
  { label: 'length ρ', title: 'Spearman ρ of implicit reward on standardised length (length bias)', value: (r) => formatNumber(r.lengthBiasRho, 3) },
];

export function checkpointTable(rows: readonly CheckpointSplitRow[], split: SplitChoice): HTMLElement {
  const shown = rows.filter((r) => r.split === split);
  const best = bestSelectionStep(rows);
  const table = element('table', '', 'data');
  const head = element('tr');
  for (const column of COLUMNS) {
    const th = element('th', column.label);
    th.title = column.title;
    head.append(th);
  }
  table.append(element('thead'));
  table.tHead!.append(head);
  const body = element('tbody');
  for (const row of shown) {
    const tr = element('tr', '', row.step === best ? 'best' : '');
    if (row.step === best) tr.title = 'Highest mean LC reward on the selection split';
    for (const column of COLUMNS) tr.append(element('td', column.value(row)));
    body.append(tr);
  }
  table.append(body);
  const scroll = element('div', '', 'table-scroll');
  scroll.append(table);
  if (shown.length === 0) scroll.append(element('p', `No checkpoint has a ${split} split.`, 'message'));
  return scroll;
}

function bestSelectionStep(rows: readonly CheckpointSplitRow[]): number | undefined {
  let best: CheckpointSplitRow | undefined;
  for (const row of rows) if (row.split === 'selection' && row.step > 0 && Number.isFinite(row.lcReward) && (!best || row.lcReward > best.lcReward)) best = row;
  return best?.step;
}
