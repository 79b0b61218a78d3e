// readDataset: any supported dataset path in, pointwise records out, streamed. The format readers yield raw rows with
// their location; normaliseRow gives them meaning; this loop applies the cross-row checks and the skipInvalid policy.
import { ArgumentError, DatasetError } from '../errors';
import type { DatasetFormat, DatasetSummary, PointwiseRecord, ReadDatasetOptions, RowLocation, SourceRow } from './records';
import { arrowRows } from './arrowRows';
import { csvRows } from './csvRows';
import { datasetFiles } from './datasetPath';
import { jsonRows } from './jsonRows';
import { jsonlRows } from './jsonlRows';
import { normaliseRow } from './normaliseRow';
import { parquetRows } from './parquetRows';

const READERS: Record<DatasetFormat, (file: string) => AsyncGenerator<SourceRow>> = {
  jsonl: jsonlRows,
  json: jsonRows,
  csv: csvRows,
  parquet: parquetRows,
  arrow: arrowRows,
};

/**
 * Reads a dataset file or Hugging Face `datasets` folder (`folder:split` picks a DatasetDict split) as pointwise
 * records, two per pair. Throws the first DatasetError, or with skipInvalid skips bad rows and reports each to
 * onInvalid; errors about the file itself (missing, unreadable, not the format it claims) always throw.
 */
export async function* readDataset(path: string, options: ReadDatasetOptions = {}): AsyncGenerator<PointwiseRecord, DatasetSummary, undefined> {
  const { numRef } = options;
  if (numRef !== undefined && !(Number.isInteger(numRef) && numRef >= 1)) {
    throw new ArgumentError(`numRef must be a positive integer, got ${numRef}`);
  }
  const { format, files } = datasetFiles(path, options);
  const summary: DatasetSummary = { rows: 0, records: 0, skipped: 0 };
  let expectedRefLength: { length: number; location: RowLocation } | undefined;
  for (const file of files) {
    for await (const source of READERS[format](file)) {
      const pairId = summary.rows++;
      let records: PointwiseRecord[];
      try {
        if ('error' in source) throw source.error;
        records = normaliseRow(source.row, source.location, { numRef, pairId, expectedRefLength });
      } catch (error) {
        if (!(error instanceof DatasetError) || !options.skipInvalid) throw error;
        summary.skipped++;
        options.onInvalid?.(error);
        continue;
      }
      const refRewards = records[0].refRewards;
      if (numRef === undefined && expectedRefLength === undefined && refRewards !== undefined) {
        expectedRefLength = { length: refRewards.length, location: source.location };
      }
      summary.records += records.length;
      yield* records;
    }
  }
  return summary;
}
