// JSON Lines, streamed: the file is read in chunks and split on newline bytes, so a file of any size needs memory
// for one chunk and one line. Blank lines are skipped; a UTF-8 BOM and CRLF line ends are accepted.
import { createReadStream } from 'node:fs';
import type { RowLocation, SourceRow } from './records';
import { errorReason, rowError } from './rowErrors';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BOM = '\ufeff';

/** Each line of a file with its 1-based number; the last line needs no newline. Lines keep no line terminator. */
export async function* fileLines(file: string): AsyncGenerator<{ text: string; line: number }> {
  // Pieces of a line that spans chunks, joined once its newline arrives (no quadratic re-concatenation).
  let pieces: Buffer[] = [];
  let line = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, end);
      const bytes = pieces.length === 0 ? piece : Buffer.concat([...pieces, piece]);
      pieces = [];
      line++;
      yield { text: decodeLine(bytes, line), line };
      start = end + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) {
    line++;
    yield { text: decodeLine(Buffer.concat(pieces), line), line };
  }
}

function decodeLine(bytes: Buffer, line: number): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
  const text = bytes.toString('utf8', 0, end);
  return line === 1 && text.startsWith(BOM) ? text.slice(1) : text;
}

export async function* jsonlRows(file: string): AsyncGenerator<SourceRow> {
  for await (const { text, line } of fileLines(file)) {
    if (text.trim().length === 0) continue;
    const location = { file, line, unit: 'line' } as const;
    yield parseJsonLine(text, location);
  }
}

function parseJsonLine(text: string, location: RowLocation): SourceRow {
  try {
    return { location, row: JSON.parse(text) };
  } catch (error) {
    return { location, error: rowError('invalid JSON', location, undefined, errorReason(error)) };
  }
}
