// The Evaluation panel's data, read from the run folder: one row per checkpoint and split from each
// evals/<step>/summary.json (the engine computed every number there, eval/evalStatistics.ts), and sample rows from
// evals/<step>/samples.jsonl, paged by JsonlPages. Also the export tables of both.
import type { EvalSummary } from '../../../qrpo/eval/evaluateCheckpoint';
import type { Cell, ExportTable } from '../results/dataExport';
import { SPLIT_CHOICES } from '../results/commonProtocol';
import type { CheckpointSplitRow, SampleRow } from './protocol';

export function checkpointRows(step: number, summary: EvalSummary): CheckpointSplitRow[] {
  const rows: CheckpointSplitRow[] = [];
  for (const split of SPLIT_CHOICES) {
    const s = summary.splits?.[split];
    if (!s) continue;
    rows.push({
      step,
      split,
      samples: s.samples,
      prompts: s.prompts,
      meanReward: s.meanReward,
      meanRefReward: s.meanRefReward,
      lcReward: s.lcReward?.mean,
      lcSlope: s.lcReward?.slope,
      meanQuantile: s.meanQuantile,
      klK1PerSequence: s.kl?.k1?.perSequence,
      klK1PerToken: s.kl?.k1?.perToken,
      klK3PerSequence: s.kl?.k3?.perSequence,
      klK3PerToken: s.kl?.k3?.perToken,
      meanLength: s.meanLength,
      meanRefLength: s.meanRefLength,
      lengthBiasRho: s.lengthBias?.spearman ?? null,
      lengthBiasSlope: s.lengthBias?.slope ?? null,
    });
  }
  return rows;
}

/** A sample line as a table row; undefined for a line that is not a sample. */
export function sampleRowOf(record: Record<string, unknown> | undefined, line: number): SampleRow | undefined {
  if (!record) return undefined;
  return {
    line,
    promptKey: typeof record.prompt_key === 'string' ? record.prompt_key : '',
    prompt: textOf(record.prompt),
    completion: textOf(record.completion),
    reward: numberOrNull(record.reward),
    quantile: numberOrNull(record.quantile),
    length: numberOrNull(record.length),
    lcReward: numberOrNull(record.lc_reward),
    implicitReward: numberOrNull(record.implicit_reward),
    split: typeof record.split === 'string' ? record.split : '',
    finishReason: typeof record.finish_reason === 'string' ? record.finish_reason : '',
  };
}

/** Case-insensitive search over the texts a researcher looks for (`needle` is already lower-case). */
export function sampleMatches(row: SampleRow, needle: string): boolean {
  return (
    row.prompt.toLowerCase().includes(needle) ||
    row.completion.toLowerCase().includes(needle) ||
    row.promptKey.toLowerCase() === needle ||
    row.split === needle ||
    row.finishReason === needle
  );
}

/** A prompt or completion as plain text: strings as they are, conversations as "role: content" lines. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value
      .map((m) => (typeof m === 'object' && m !== null ? `${String((m as { role?: unknown }).role ?? '')}: ${String((m as { content?: unknown }).content ?? '')}` : String(m)))
      .join('\n');
  }
  return value === undefined || value === null ? '' : JSON.stringify(value);
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

const SUMMARY_COLUMNS: readonly (keyof CheckpointSplitRow)[] = [
  'step',
  'split',
  'samples',
  'prompts',
  'meanReward',
  'meanRefReward',
  'lcReward',
  'lcSlope',
  'meanQuantile',
  'klK1PerSequence',
  'klK1PerToken',
  'klK3PerSequence',
  'klK3PerToken',
  'meanLength',
  'meanRefLength',
  'lengthBiasRho',
  'lengthBiasSlope',
];

export function summaryTable(name: string, rows: readonly CheckpointSplitRow[]): ExportTable {
  return { name, columns: SUMMARY_COLUMNS, rows: rows.map((row) => SUMMARY_COLUMNS.map((c) => row[c] as Cell)) };
}

const SAMPLE_COLUMNS: readonly (keyof SampleRow)[] = ['line', 'split', 'promptKey', 'prompt', 'completion', 'reward', 'quantile', 'length', 'lcReward', 'implicitReward', 'finishReason'];

export function samplesTable(name: string, rows: readonly SampleRow[]): ExportTable {
  return { name, columns: SAMPLE_COLUMNS, rows: rows.map((row) => SAMPLE_COLUMNS.map((c) => row[c] as Cell)) };
}
