// Builds the Compare Runs table from what the host already holds (metric columns) and two small files per run
// (run.json, the latest evals/<step>/summary.json), read again only when they changed (comparedRunFiles.ts). Config
// fields that agree across runs are left out: comparing QRPO with DPO on the same data should show loss_type (and
// what it implies), not forty equal lines.
import type * as vscode from 'vscode';
import type { EvalHeadline } from '../shared/latestEvalSummary';
import type { MetricTable } from '../shared/metricTable';
import type { RunIdentity } from '../trainingCurves/protocol';
import type { ComparedRunFiles } from './comparedRunFiles';
import type { Better, ComparisonTable, ConfigDifference, NumberRow } from './protocol';

export interface ComparedRun {
  readonly identity: RunIdentity;
  readonly folder: vscode.Uri;
  readonly table: MetricTable;
}

/** Config fields shown first, in this order, when they differ: the ones a method comparison hinges on. */
const leadingFields = ['loss_type', 'beta', 'qrpo_transform_type', 'learning_rate', 'num_ref_rewards', 'training_data', 'model_name_or_path', 'dataset_name'];

/** Logged metrics summarised as final and (where "better" has a direction) best. */
const summarisedMetrics: readonly { name: string; better?: Better }[] = [
  { name: 'loss', better: 'min' },
  { name: 'rewards/margins', better: 'max' },
  { name: 'rewards/accuracies', better: 'max' },
  { name: 'percentile_rewards/chosen', better: 'max' },
  { name: 'percentile_rewards/rejected' },
  { name: 'rewards/chosen' },
  { name: 'rewards/rejected' },
  { name: 'grad_norm' },
  { name: 'num_tokens' },
];

/** Fields that name the run rather than configure it. */
const ignoredFields = new Set(['run_name', 'output_dir', 'name']);

export async function buildComparisonTable(runs: readonly ComparedRun[], files: ComparedRunFiles): Promise<ComparisonTable> {
  const [configs, evals] = await Promise.all([
    Promise.all(runs.map((run) => files.config(run.folder))),
    Promise.all(runs.map((run) => files.latestEval(run.folder))),
  ]);
  const { differences, identical } = configDifferences(configs);
  return {
    runs: runs.map((run) => run.identity),
    config: differences,
    identicalFields: identical,
    metrics: metricRows(runs.map((run) => run.table)),
    evalSteps: evals.map((e) => e?.step ?? null),
    evals: evalRows(evals),
  };
}

export function configDifferences(configs: readonly ReadonlyMap<string, string>[]): { differences: ConfigDifference[]; identical: number } {
  const fields = new Set<string>();
  for (const config of configs) for (const field of config.keys()) if (!ignoredFields.has(field)) fields.add(field);
  const differences: ConfigDifference[] = [];
  let identical = 0;
  for (const field of fields) {
    const values = configs.map((config) => config.get(field) ?? null);
    if (values.every((v) => v === values[0])) identical++;
    else differences.push({ field, values });
  }
  const rank = (field: string) => {
    const i = leadingFields.indexOf(field);
    return i < 0 ? leadingFields.length : i;
  };
  differences.sort((a, b) => rank(a.field) - rank(b.field) || a.field.localeCompare(b.field));
  return { differences, identical };
}

function metricRows(tables: readonly MetricTable[]): NumberRow[] {
  const rows: NumberRow[] = [];
  const lastStep = tables.map((t) => last(t.get('step')));
  if (lastStep.some((v) => v !== null)) rows.push({ label: 'last step', source: 'highest step in metrics.jsonl', values: lastStep });
  for (const { name, better } of summarisedMetrics) {
    const columns = tables.map((t) => t.get(name));
    if (columns.every((c) => c === undefined)) continue;
    const best = better === 'min' || better === 'max' ? columns.map((c) => extreme(c, better)) : undefined;
    const source = `last logged value of ${name}${best ? `; beside it the ${better === 'min' ? 'lowest' : 'highest'} over training` : ''}`;
    rows.push({ label: name, source, values: columns.map(last), best, better });
  }
  return rows;
}

function evalRows(evals: readonly (EvalHeadline | undefined)[]): NumberRow[] {
  if (evals.every((e) => e === undefined)) return [];
  const row = (label: string, pick: (e: EvalHeadline) => number | undefined, better?: Better): NumberRow => ({
    label,
    source: 'latest evals/<step>/summary.json (reporting split)',
    values: evals.map((e) => finiteOrNull(e ? pick(e) : undefined)),
    better,
  });
  return [
    row('mean reward', (e) => e.meanReward, 'max'),
    row('mean quantile vs π_ref', (e) => e.meanQuantile, 'max'),
    row('LC reward', (e) => e.lcReward, 'max'),
    row('KL k3 (per sequence)', (e) => e.klK3),
    row('length-bias ρ (Spearman)', (e) => e.lengthBiasRho, 'absMin'),
    row('mean length', (e) => e.meanLength),
    row('mean reference reward', (e) => e.meanRefReward),
  ];
}

function last(column: Float64Array | undefined): number | null {
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) if (Number.isFinite(column[i])) return column[i];
  return null;
}

function extreme(column: Float64Array | undefined, better: 'min' | 'max'): number | null {
  if (!column) return null;
  let best: number | null = null;
  for (const v of column) {
    if (!Number.isFinite(v)) continue;
    if (best === null || (better === 'min' ? v < best : v > best)) best = v;
  }
  return best;
}

function finiteOrNull(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
