// An append-only JSONL file that a stage resumes from: each append is one write call of whole lines, flushed, so a
// kill leaves at most a torn last line, which opening cuts away (design.md: appends end on a newline and a torn last
// line is ignored and repaired). A stage may also cut it back to a prefix of whole entries (a group that was only
// partly written), so what it resumes from is always something it wrote whole.
import { createReadStream, promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { QrpoError } from '../../errors';
import { displayPath } from '../displayPath';

export class JsonlJournal<T> {
  private constructor(
    readonly file: string,
    private handle: fs.FileHandle,
    /** Byte offset where each entry's line ends. */
    private readonly ends: number[],
    /** Bytes of a torn last line cut away on opening (0 when none). */
    readonly repairedBytes: number,
  ) {}

  /** Opens (creating) the journal; `onEntry` sees each entry already in it, oldest first, and none is kept in memory. */
  static async open<T>(file: string, onEntry: (entry: T, index: number) => void = () => undefined): Promise<JsonlJournal<T>> {
    await fs.mkdir(dirname(file), { recursive: true });
    const handle = await fs.open(file, 'a+');
    try {
      const bytes = await handle.readFile();
      const end = bytes.lastIndexOf(0x0a) + 1;
      if (end < bytes.length) {
        await handle.truncate(end);
        await handle.sync();
      }
      const ends: number[] = [];
      let start = 0;
      for (let lineNumber = 1; start < end; lineNumber++) {
        const stop = bytes.indexOf(0x0a, start);
        try {
          onEntry(JSON.parse(bytes.subarray(start, stop).toString('utf8')) as T, ends.length);
        } catch {
          throw new QrpoError(`${displayPath(file)} line ${lineNumber} is not valid JSON; the file was changed by something other than the engine`, 'Delete it to redo this stage');
        }
        ends.push(stop + 1);
        start = stop + 1;
      }
      return new JsonlJournal<T>(file, handle, ends, bytes.length - end);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get length(): number {
    return this.ends.length;
  }

  /** Keeps only the first `count` entries. */
  async truncate(count: number): Promise<void> {
    if (count >= this.ends.length) return;
    await this.handle.truncate(count === 0 ? 0 : this.ends[count - 1]);
    await this.handle.sync();
    this.ends.length = count;
  }

  /** Appends the entries as one write, flushed before it returns: all of them survive a kill, or none whole. */
  async append(entries: readonly T[]): Promise<void> {
    if (entries.length === 0) return;
    const lines = entries.map((entry) => `${JSON.stringify(entry)}\n`);
    const buffer = Buffer.from(lines.join(''), 'utf8');
    const { bytesWritten } = await this.handle.write(buffer, 0, buffer.length);
    if (bytesWritten !== buffer.length) throw new QrpoError(`short write to ${displayPath(this.file)} (${bytesWritten} of ${buffer.length} bytes); is the disk full?`);
    await this.handle.datasync();
    let offset = this.ends.at(-1) ?? 0;
    for (const line of lines) {
      offset += Buffer.byteLength(line, 'utf8');
      this.ends.push(offset);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** The entries of a whole JSONL file written by a stage, streamed; a torn last line (no newline) is ignored. */
export async function* readJsonLines<T>(file: string): AsyncGenerator<T> {
  let rest = '';
  let lineNumber = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    rest += chunk as string;
    let start = 0;
    for (let newline = rest.indexOf('\n'); newline >= 0; newline = rest.indexOf('\n', start)) {
      const line = rest.slice(start, newline);
      start = newline + 1;
      lineNumber++;
      if (line.trim() === '') continue;
      try {
        yield JSON.parse(line) as T;
      } catch {
        throw new QrpoError(`${displayPath(file)} line ${lineNumber} is not valid JSON; the file was changed by something other than the engine`);
      }
    }
    rest = rest.slice(start);
  }
}
