// CSV with a header row, streamed through csv-parse. Cells are strings: empty cells are absent values, and cells of
// list columns (ref_rewards, per-model rewards) or conversational text columns hold JSON (`[0.1, 0.2]`,
// `[{"role": …}]`). Rows are named by the physical line where they start, quoted newlines included: csv-parse's own
// line count drifts on CRLF inside quotes, so lines are counted here from its byte offsets.
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { RowLocation, SourceRow } from './records';
import { errorReason, fileError, rowError } from './rowErrors';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const LIST_COLUMNS = new Set(['ref_rewards', 'refRewards', 'chosen_rewards', 'rejected_rewards']);
const TEXT_COLUMNS = new Set(['prompt', 'completion', 'chosen', 'rejected']);

interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

export async function* csvRows(file: string): AsyncGenerator<SourceRow> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  const input = createReadStream(file);
  const lines = new LineCounter();
  input.on('data', (chunk) => lines.append(chunk as Buffer));
  input.on('error', (error) => parser.destroy(error));
  input.pipe(parser);
  let header: string[] | undefined;
  let recordStart = 0;
  try {
    for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
      const line = lines.firstLineFrom(recordStart);
      recordStart = parsed.info.bytes;
      if (header === undefined) {
        header = parsed.record;
        continue;
      }
      const location: RowLocation = { file, line, unit: 'line' };
      if (parsed.record.length !== header.length) {
        const error = rowError(`row has ${parsed.record.length} cells, the header has ${header.length}`, location);
        yield { location, error };
        continue;
      }
      yield { location, row: rowObject(header, parsed.record) };
    }
  } catch (error) {
    // csv-parse errors (an unclosed quote) concern the record that starts after the last good one.
    const where = !(error instanceof CsvError) ? file : `${file} line ${lines.firstLineFrom(recordStart)}`;
    throw fileError(`invalid CSV in ${where}: ${errorReason(error)}`, file);
  } finally {
    input.destroy();
  }
}

/** Line numbers of byte offsets in a stream seen once, front to back; keeps only the bytes not yet passed. */
class LineCounter {
  private chunks: Buffer[] = [];
  private offset = 0; // stream offset of chunks[0][index]
  private index = 0;
  private line = 1;

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  /** The line of the first byte at or after `start` that is not part of a blank line. */
  firstLineFrom(start: number): number {
    while (this.offset < start && this.chunks.length > 0) {
      const chunk = this.chunks[0];
      const end = Math.min(chunk.length, this.index + (start - this.offset));
      for (let i = chunk.indexOf(NEWLINE, this.index); i !== -1 && i < end; i = chunk.indexOf(NEWLINE, i + 1)) this.line++;
      this.offset += end - this.index;
      this.index = end;
      this.dropPassedChunk();
    }
    while (this.chunks.length > 0) {
      const byte = this.chunks[0][this.index];
      if (byte !== NEWLINE && byte !== CARRIAGE_RETURN) break;
      if (byte === NEWLINE) this.line++;
      this.index++;
      this.offset++;
      this.dropPassedChunk();
    }
    return this.line;
  }

  private dropPassedChunk(): void {
    if (this.index < this.chunks[0].length) return;
    this.chunks.shift();
    this.index = 0;
  }
}

function rowObject(header: string[], cells: string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const cell = cells[i];
    if (cell === '') return;
    row[name] = decodeCell(name, cell);
  });
  return row;
}

function decodeCell(name: string, cell: string): unknown {
  const trimmed = cell.trim();
  const json = (LIST_COLUMNS.has(name) && trimmed.startsWith('[')) || (TEXT_COLUMNS.has(name) && /^\[\s*\{/.test(trimmed));
  if (!json) return cell;
  try {
    return JSON.parse(trimmed);
  } catch {
    return cell;
  }
}
