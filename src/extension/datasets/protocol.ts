// The message contract of the Dataset Preview custom editor: pages of a dataset file (JSONL, JSON, CSV, Parquet),
// each raw row beside the pointwise records the engine would make of it, or the validation error that would make
// the engine skip it (file:line:field). Imported by the host and (types only) the webview. The host reads with the
// engine's own readers (src/qrpo/data), so what the preview flags is exactly what a run would reject.
import type { CommonWebviewMessage } from '../panels/results/commonProtocol';

export interface PreviewRecord {
  /** chosen or rejected for a pair's two records. */
  readonly side?: string;
  readonly prompt: string;
  readonly completion: string;
  readonly reward: number | null;
  /** The first few reference rewards; `refCount` says how many there are. */
  readonly refRewards: readonly number[];
  readonly refCount: number;
}

export interface RowProblem {
  /** `data/train.jsonl:12`, the way editors and terminals link a position. */
  readonly location: string;
  readonly field?: string;
  readonly message: string;
}

export interface PreviewRow {
  /** 0-based index among the file's rows (blank lines not counted). */
  readonly position: number;
  /** 1-based line (JSONL, CSV) or row (JSON, Parquet). */
  readonly line: number;
  readonly unit: 'line' | 'row';
  /** The row as JSON, cut at a few thousand characters; absent when the row could not be parsed at all. */
  readonly raw?: string;
  readonly records: readonly PreviewRecord[];
  readonly problem?: RowProblem;
}

export interface DatasetPageMessage {
  readonly type: 'page';
  readonly displayPath: string;
  readonly format: string;
  readonly offset: number;
  readonly pageSize: number;
  readonly onlyInvalid: boolean;
  readonly rows: readonly PreviewRow[];
  /** Whether the file has rows after this page (in the current mode). */
  readonly hasMore: boolean;
}

/** Sent once a background pass over the whole file has finished. */
export interface DatasetCountsMessage {
  readonly type: 'counts';
  readonly rows: number;
  readonly records: number;
  readonly invalidRows: number;
  /** The first invalid rows, for a list of links. */
  readonly firstProblems: readonly (RowProblem & { readonly position: number })[];
}

export interface DatasetLoadErrorMessage {
  readonly type: 'loadError';
  readonly displayPath: string;
  readonly message: string;
}

export type DatasetPreviewHostMessage = DatasetPageMessage | DatasetCountsMessage | DatasetLoadErrorMessage;

export interface RequestPageMessage {
  readonly type: 'requestPage';
  readonly offset: number;
  readonly onlyInvalid: boolean;
}

export type DatasetPreviewWebviewMessage = CommonWebviewMessage | RequestPageMessage;

export const DATASET_PAGE_SIZE = 50;
export const DatasetPreviewPart = { page: 'page' } as const;
