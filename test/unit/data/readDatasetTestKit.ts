// Helpers shared by the dataset reader tests: read everything, collect what skipInvalid reported.
import assert from 'node:assert/strict';
import { DatasetError } from '../../../src/qrpo/errors';
import { readDataset } from '../../../src/qrpo/data';
import type { DatasetSummary, PointwiseRecord, ReadDatasetOptions } from '../../../src/qrpo/data';

export async function readAll(path: string, options: ReadDatasetOptions = {}): Promise<{ records: PointwiseRecord[]; summary: DatasetSummary }> {
  const generator = readDataset(path, options);
  const records: PointwiseRecord[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { records, summary: next.value };
    records.push(next.value);
  }
}

/** Reads with skipInvalid and returns the records, the summary and the messages of the skipped rows. */
export async function readSkipping(path: string, options: ReadDatasetOptions = {}): Promise<{ records: PointwiseRecord[]; summary: DatasetSummary; skipped: string[] }> {
  const skipped: string[] = [];
  const result = await readAll(path, { ...options, skipInvalid: true, onInvalid: (error) => skipped.push(error.message) });
  return { ...result, skipped };
}

export async function assertReadFails(path: string, message: string, options: ReadDatasetOptions = {}): Promise<void> {
  await assert.rejects(readAll(path, options), (error: unknown) => {
    assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${String(error)}`);
    assert.equal(error.message, message);
    return true;
  });
}

export function jsonParseReason(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${text} parses`);
}
