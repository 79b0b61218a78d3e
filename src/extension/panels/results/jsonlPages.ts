// Paging through a JSONL file without holding it: one streaming pass records where each complete line starts
// (8 bytes a line), then a page is one positioned read of the bytes between two offsets. A search streams the file
// once per query and keeps the matching line numbers, so paging through the matches is as cheap as through the
// file. The engine may be appending: a last line without its newline is not counted until it is complete.
import { createReadStream, promises as fs } from 'node:fs';

const NEWLINE = 0x0a;

export interface JsonlPage<Row> {
  /** Rows on this page with their 0-based line index among the file's complete lines. */
  readonly rows: readonly { readonly index: number; readonly row: Row }[];
  /** Index of the first row among the matches: the requested offset, aligned to a page and kept in range. */
  readonly offset: number;
  /** Lines that match (all complete lines without a query). */
  readonly total: number;
  /** Complete lines in the file. */
  readonly lines: number;
}

export class JsonlPages<Row> {
  private index: Promise<{ starts: Float64Array; lines: number; size: number; mtimeMs: number }> | undefined;
  private readonly searches = new Map<string, Promise<Int32Array>>();

  /** `parse` turns a line into a row, or undefined for a line that is not one; `matches` tests a row against a query. */
  constructor(
    readonly file: string,
    private readonly parse: (line: string, index: number) => Row | undefined,
    private readonly matches: (row: Row, query: string) => boolean,
  ) {}

  async page(offset: number, count: number, query = ''): Promise<JsonlPage<Row>> {
    const index = await this.currentIndex();
    const needle = query.trim().toLowerCase();
    const selected = needle ? await this.search(needle) : undefined;
    const total = selected ? selected.length : index.lines;
    const lastPage = total === 0 ? 0 : Math.floor((total - 1) / count) * count;
    const first = Math.min(offset - (offset % count), lastPage);
    const lineNumbers: number[] = [];
    for (let k = first; k < Math.min(total, first + count); k++) lineNumbers.push(selected ? selected[k] : k);
    const rows: { index: number; row: Row }[] = [];
    const handle = await fs.open(this.file, 'r');
    try {
      for (const range of contiguousRuns(lineNumbers)) {
        const start = index.starts[range[0]];
        const end = index.starts[range[range.length - 1] + 1];
        const buffer = Buffer.alloc(end - start);
        await handle.read(buffer, 0, buffer.length, start);
        const texts = buffer.toString('utf8').split('\n');
        range.forEach((line, k) => {
          const row = this.parse(texts[k], line);
          if (row !== undefined) rows.push({ index: line, row });
        });
      }
    } finally {
      await handle.close();
    }
    return { rows, offset: first, total, lines: index.lines };
  }

  /** Every row (matching `query`, if given), in file order, streamed. */
  async *rows(query = ''): AsyncGenerator<Row> {
    const needle = query.trim().toLowerCase();
    for await (const { text, index } of completeLines(this.file)) {
      const row = this.parse(text, index);
      if (row !== undefined && (!needle || this.matches(row, needle))) yield row;
    }
  }

  private async currentIndex(): Promise<{ starts: Float64Array; lines: number; size: number; mtimeMs: number }> {
    const stat = await fs.stat(this.file);
    const cached = this.index && (await this.index);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached;
    this.searches.clear();
    this.index = buildIndex(this.file).then((built) => ({ ...built, size: stat.size, mtimeMs: stat.mtimeMs }));
    return this.index;
  }

  private search(needle: string): Promise<Int32Array> {
    let found = this.searches.get(needle);
    if (!found) {
      found = (async () => {
        const hits: number[] = [];
        for await (const { text, index } of completeLines(this.file)) {
          const row = this.parse(text, index);
          if (row !== undefined && this.matches(row, needle)) hits.push(index);
        }
        return Int32Array.from(hits);
      })();
      // Few distinct queries matter at once (the one being typed); keep the cache small.
      if (this.searches.size > 16) this.searches.clear();
      this.searches.set(needle, found);
    }
    return found;
  }
}

/** Start offsets of each complete line, plus the end of the last one (so line i spans starts[i]..starts[i+1]). */
async function buildIndex(file: string): Promise<{ starts: Float64Array; lines: number }> {
  let starts = new Float64Array(1024);
  let lines = 0;
  let position = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      if (lines + 2 > starts.length) {
        const bigger = new Float64Array(starts.length * 2);
        bigger.set(starts);
        starts = bigger;
      }
      starts[++lines] = position + at + 1;
    }
    position += chunk.length;
  }
  return { starts: starts.slice(0, lines + 1), lines };
}

/** Complete lines (ended by a newline) of a file with their 0-based index, streamed. */
export async function* completeLines(file: string): AsyncGenerator<{ text: string; index: number }> {
  let pieces: Buffer[] = [];
  let index = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, at);
      yield { text: (pieces.length ? Buffer.concat([...pieces, piece]) : piece).toString('utf8'), index: index++ };
      pieces = [];
      start = at + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
}

/** Parses a JSON object line; undefined for a blank line, invalid JSON or a non-object. */
export function parseObjectLine(line: string): Record<string, unknown> | undefined {
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function contiguousRuns(lines: readonly number[]): number[][] {
  const runs: number[][] = [];
  for (const line of lines) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === line - 1) last.push(line);
    else runs.push([line]);
  }
  return runs;
}
