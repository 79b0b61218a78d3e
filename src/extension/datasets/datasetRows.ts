// Rows of a dataset file for the preview, through the engine's readers (src/qrpo/data): each raw row, the pointwise
// records normaliseRow makes of it, or the DatasetError that would make a run skip it. Readers stream, so a page
// costs a pass up to it; a cursor kept between requests makes "next page" cost only the page. The readers are
// plain TypeScript over hyparquet, apache-arrow and csv-parse, and bring no onnxruntime into the extension.
import { arrowRows } from '../../qrpo/data/arrowRows';
import { csvRows } from '../../qrpo/data/csvRows';
import { datasetFiles } from '../../qrpo/data/datasetPath';
import { jsonRows } from '../../qrpo/data/jsonRows';
import { jsonlRows } from '../../qrpo/data/jsonlRows';
import { normaliseRow } from '../../qrpo/data/normaliseRow';
import { parquetRows } from '../../qrpo/data/parquetRows';
import type { DatasetFormat, RowLocation, SourceRow, Text } from '../../qrpo/data/records';
import { DatasetError } from '../../qrpo/errors';
import type { PreviewRecord, PreviewRow, RowProblem } from './protocol';

const READERS: Record<DatasetFormat, (file: string) => AsyncGenerator<SourceRow>> = {
  jsonl: jsonlRows,
  json: jsonRows,
  csv: csvRows,
  parquet: parquetRows,
  arrow: arrowRows,
};

const RAW_LIMIT = 4_000;
const TEXT_LIMIT = 2_000;
const REF_SHOWN = 8;

/** Rows of a dataset as the preview shows them, in file order. `displayPath` replaces the path in messages. */
export async function* previewRows(path: string, displayPath: string): AsyncGenerator<PreviewRow> {
  const { format, files } = datasetFiles(path);
  let position = 0;
  let expectedRefLength: { length: number; location: RowLocation } | undefined;
  for (const file of files) {
    for await (const source of READERS[format](file)) {
      const { location } = source;
      const base = { position, line: location.line, unit: location.unit };
      position++;
      if ('error' in source) {
        yield { ...base, records: [], problem: problemOf(source.error, location, path, displayPath) };
        continue;
      }
      const raw = rawText(source.row);
      try {
        const records = normaliseRow(source.row, location, { pairId: base.position, expectedRefLength });
        const refRewards = records[0]?.refRewards;
        if (expectedRefLength === undefined && refRewards !== undefined) expectedRefLength = { length: refRewards.length, location };
        yield { ...base, raw, records: records.map(previewRecord) };
      } catch (error) {
        if (!(error instanceof DatasetError)) throw error;
        yield { ...base, raw, records: [], problem: problemOf(error, location, path, displayPath) };
      }
    }
  }
}

export function datasetFormat(path: string): string {
  return datasetFiles(path).format;
}

function problemOf(error: DatasetError, location: RowLocation, path: string, displayPath: string): RowProblem {
  const where = `${displayPath}:${location.line}`;
  // The engine's message says where (" in FILE line N (field "x")"); the preview shows that as `location` and
  // `field`, so the message keeps what went wrong, the parser's reason and any hint.
  const position = DatasetError.describe('', error.file, error.line, error.field, { unit: location.unit });
  const message = error.message.replace(position, '').split(path).join(displayPath).replace(/^: /, '');
  return { location: where, ...(error.field ? { field: error.field } : {}), message };
}

function previewRecord(record: { prompt: Text; completion: Text; reward?: number; refRewards?: number[]; side?: string }): PreviewRecord {
  return {
    ...(record.side ? { side: record.side } : {}),
    prompt: cut(textOf(record.prompt), TEXT_LIMIT),
    completion: cut(textOf(record.completion), TEXT_LIMIT),
    reward: record.reward ?? null,
    refRewards: (record.refRewards ?? []).slice(0, REF_SHOWN),
    refCount: record.refRewards?.length ?? 0,
  };
}

function textOf(text: Text): string {
  return typeof text === 'string' ? text : text.map((m) => `${m.role}: ${m.content}`).join('\n');
}

function rawText(row: unknown): string {
  try {
    // Parquet and Arrow give 64-bit integers as bigint and lists as typed arrays; JSON has neither.
    const json = JSON.stringify(row, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value,
    );
    return cut(json ?? String(row), RAW_LIMIT);
  } catch {
    return cut(String(row), RAW_LIMIT);
  }
}

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

/** A position in the rows kept between page requests: asking for the next page continues where the last ended. */
export class RowCursor {
  private rows: AsyncGenerator<PreviewRow> | undefined;
  /** How many rows (of the filtered sequence) the cursor has handed out. */
  private taken = 0;

  constructor(
    private readonly open: () => AsyncGenerator<PreviewRow>,
    private readonly keep: (row: PreviewRow) => boolean,
  ) {}

  /** Up to `count` kept rows from index `offset`, and whether more follow. */
  async page(offset: number, count: number): Promise<{ rows: PreviewRow[]; hasMore: boolean }> {
    if (!this.rows || this.taken > offset) await this.restart();
    while (this.taken < offset) {
      if ((await this.next()) === undefined) return { rows: [], hasMore: false };
    }
    const rows: PreviewRow[] = [];
    while (rows.length < count) {
      const row = await this.next();
      if (row === undefined) return { rows, hasMore: false };
      rows.push(row);
    }
    const peek = await this.next();
    if (peek === undefined) return { rows, hasMore: false };
    // The peeked row belongs to the next page: start it again from there next time.
    this.pending = peek;
    this.taken--;
    return { rows, hasMore: true };
  }

  async close(): Promise<void> {
    await this.rows?.return(undefined);
    this.rows = undefined;
  }

  private pending: PreviewRow | undefined;

  private async next(): Promise<PreviewRow | undefined> {
    if (this.pending) {
      const row = this.pending;
      this.pending = undefined;
      this.taken++;
      return row;
    }
    for (;;) {
      const step = await this.rows!.next();
      if (step.done) return undefined;
      if (this.keep(step.value)) {
        this.taken++;
        return step.value;
      }
    }
  }

  private async restart(): Promise<void> {
    await this.close();
    this.pending = undefined;
    this.taken = 0;
    this.rows = this.open();
  }
}
