// The record every dataset reader produces: one completion of one prompt, with its reward and the reference
// rewards of its prompt. A preference pair becomes two records (§4 of docs/qrpo.md: a pair is two samples).
import type { DatasetError } from '../errors';

export type ChatMessage = { role: string; content: string };
export type Text = string | ChatMessage[];

export interface PointwiseRecord {
  /** A string, or the conversation before the completion. */
  prompt: Text;
  /** A string, or the assistant message(s) after the prompt. */
  completion: Text;
  reward?: number;
  refRewards?: number[];
  /** Set when the row was a pair. */
  side?: 'chosen' | 'rejected';
  /** 0-based index of the source row that yielded the pair, so the two sides stay identifiable. */
  pairId?: number;
  /** `line` is the 1-based line for JSONL and CSV (where a CSV row starts), the 1-based row for JSON, Parquet and Arrow. */
  source: RowLocation;
  /** Columns the reader did not consume, passed through unchanged. */
  extra?: Record<string, unknown>;
}

export type DatasetFormat = 'jsonl' | 'json' | 'csv' | 'parquet' | 'arrow';

export interface ReadDatasetOptions {
  /** Skip bad rows (both sides of a pair) instead of throwing the first error. */
  skipInvalid?: boolean;
  /** Called for each skipped row in skipInvalid mode. */
  onInvalid?: (error: DatasetError) => void;
  /** Every ref_rewards list must have at least numRef entries; the first numRef are used, as the reference code does. */
  numRef?: number;
  /** Default: from the extension or the folder layout. */
  format?: DatasetFormat;
  /** Split of a Hugging Face DatasetDict folder; default `train` (also `folder:split` in the path). */
  split?: string;
}

/** What readDataset returns when it finishes. */
export interface DatasetSummary {
  /** Source rows seen (blank JSONL/CSV lines excluded). */
  rows: number;
  /** Records yielded (two per valid pair). */
  records: number;
  /** Rows skipped in skipInvalid mode. */
  skipped: number;
}

/** Where a row came from. `unit` says how errors name it: `f.jsonl line 3` or `f.parquet row 3`. */
export interface RowLocation {
  file: string;
  line: number;
  unit: 'line' | 'row';
}

/** A row as a format reader yields it: a parsed value, or the error that kept it from being parsed. */
export type SourceRow = { location: RowLocation; row: unknown } | { location: RowLocation; error: DatasetError };
