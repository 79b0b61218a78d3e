// metrics.jsonl: one JSON object per logged step (TRL/QRPO metric names), append-only. Each append is one complete
// line written with a single write call and flushed, so a kill leaves at most a torn last line; opening the log
// cuts such a line away, and readers skip it. Steps only grow: after a resume replays steps from the last checkpoint,
// appending a step the log already holds is a no-op, so the log never has a step twice.
import { promises as fs } from 'node:fs';
import { QrpoError } from '../errors';

export type MetricsRecord = { step: number } & Record<string, unknown>;

export interface TornLineRepair {
  file: string;
  /** Bytes cut from the end of the file. */
  bytes: number;
}

/** Records of a metrics file; a torn last line (no newline yet) is ignored, a broken complete line is an error. */
export function parseMetrics(text: string, file = 'metrics.jsonl'): MetricsRecord[] {
  const end = text.lastIndexOf('\n') + 1;
  const records: MetricsRecord[] = [];
  let lineNumber = 0;
  for (const line of text.slice(0, end).split('\n')) {
    lineNumber++;
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new QrpoError(`${file} line ${lineNumber} is not valid JSON; the file was changed by something other than the engine`);
    }
    if (typeof record !== 'object' || record === null || typeof (record as { step?: unknown }).step !== 'number') {
      throw new QrpoError(`${file} line ${lineNumber} has no numeric "step"`);
    }
    records.push(record as MetricsRecord);
  }
  return records;
}

export async function readMetrics(file: string): Promise<MetricsRecord[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return parseMetrics(text, file);
}

export class MetricsLog {
  private constructor(
    readonly file: string,
    private handle: fs.FileHandle,
    private last: number | undefined,
    /** Set when opening cut a torn last line away. */
    readonly repaired: TornLineRepair | undefined,
  ) {}

  /** Opens (creating) the log for appending, after cutting away a torn last line. */
  static async open(file: string): Promise<MetricsLog> {
    const handle = await fs.open(file, 'a+');
    try {
      const text = (await handle.readFile()).toString('utf8');
      const end = text.lastIndexOf('\n') + 1;
      const complete = text.slice(0, end);
      let repaired: TornLineRepair | undefined;
      if (end < text.length) {
        const keep = Buffer.byteLength(complete, 'utf8');
        await handle.truncate(keep);
        await handle.sync();
        repaired = { file, bytes: Buffer.byteLength(text, 'utf8') - keep };
      }
      const records = parseMetrics(complete, file);
      const last = records.length ? Math.max(...records.map((record) => record.step)) : undefined;
      return new MetricsLog(file, handle, last, repaired);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The highest step logged, if any. */
  get lastStep(): number | undefined {
    return this.last;
  }

  /**
   * Appends `{step, ...record}` as one line. Returns false, writing nothing, when the log already reaches `step`
   * (a resumed run replaying steps it logged before it was killed).
   */
  async append(step: number, record: Record<string, unknown>): Promise<boolean> {
    if (!Number.isInteger(step) || step < 0) throw new QrpoError(`metrics step must be a non-negative integer, got ${step}`);
    if (this.last !== undefined && step <= this.last) return false;
    // `step` first for people reading the file, and the argument wins over a `step` inside the record.
    const line = Buffer.from(`${JSON.stringify(Object.assign({ step }, record, { step }))}\n`, 'utf8');
    const { bytesWritten } = await this.handle.write(line, 0, line.length);
    if (bytesWritten !== line.length) throw new QrpoError(`short write to ${this.file} (${bytesWritten} of ${line.length} bytes); is the disk full?`);
    await this.handle.datasync();
    this.last = step;
    return true;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
