// DatasetError builders for the readers: row errors carry the row's location, file errors a message that already
// names the file.
import { DatasetError } from '../errors';
import type { RowLocation } from './records';

export function where(location: RowLocation): string {
  return `${location.file} ${location.unit} ${location.line}`;
}

/** `reward is NaN in data/train.jsonl line 1234 (field "chosen_rewards")`, `…: reason` when a parser gave one. */
export function rowError(detail: string, location: RowLocation, field?: string, reason?: string, hint?: string): DatasetError {
  return new DatasetError(detail, location.file, location.line, field, { unit: location.unit, reason, hint });
}

/** An error about a whole file or folder: `invalid Parquet file in data/x.parquet: reason`. */
export function fileError(message: string, file: string, hint?: string): DatasetError {
  const error = new DatasetError(message, file, undefined, undefined, { hint });
  // The message already names the file; DatasetError's own wording would name it twice.
  error.message = hint ? `${message}. ${hint}` : message;
  return error;
}

/** A short description of a value for "expected …, got …". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'bigint') return `the number ${String(value)}`;
  if (typeof value === 'boolean') return String(value);
  if (ArrayBuffer.isView(value)) return 'binary data';
  return 'an object';
}

export function errorReason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
