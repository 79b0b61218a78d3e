// One run's metrics as growing columns, the form the webview draws from. Every numeric field of a line becomes a
// column (TRL/QRPO names as logged); a field first seen late gets NaN for the earlier rows. Wall time is kept
// under one name, `time`, in seconds since the epoch, whichever spelling and unit the writer used.
import type { MetricColumns } from '../trainingCurves/protocol';

/** Field names taken for the wall-clock time of a line, in order of preference. */
const timeFields = ['time', 'timestamp', 'wall_time', '_timestamp'];

export class MetricTable {
  private readonly index = new Map<string, number>();
  private names: string[] = [];
  private columns: Float64Array[] = [];
  private capacity = 256;
  private count = 0;

  get rows(): number {
    return this.count;
  }

  clear(): void {
    this.index.clear();
    this.names = [];
    this.columns = [];
    this.capacity = 256;
    this.count = 0;
  }

  append(records: readonly Record<string, unknown>[]): void {
    for (const record of records) {
      if (this.count === this.capacity) this.grow();
      const row = this.count++;
      for (const column of this.columns) column[row] = NaN;
      for (const name in record) {
        const raw = record[name];
        if (typeof raw === 'number' && Number.isFinite(raw) && !timeFields.includes(name)) this.column(name)[row] = raw;
      }
      const time = wallTime(record);
      if (time !== undefined) this.column('time')[row] = time;
    }
  }

  /** Rows from `start` on, as copies the caller may post. */
  slice(start = 0): MetricColumns {
    const end = this.count;
    return { rows: Math.max(0, end - start), names: [...this.names], columns: this.columns.map((c) => c.slice(start, end)) };
  }

  /** The column of a metric (live view, valid until the next append), or undefined if no line had it. */
  get(name: string): Float64Array | undefined {
    const k = this.index.get(name);
    return k === undefined ? undefined : this.columns[k].subarray(0, this.count);
  }

  metricNames(): readonly string[] {
    return this.names;
  }

  private column(name: string): Float64Array {
    let k = this.index.get(name);
    if (k === undefined) {
      k = this.columns.length;
      this.index.set(name, k);
      this.names.push(name);
      this.columns.push(new Float64Array(this.capacity).fill(NaN));
    }
    return this.columns[k];
  }

  private grow(): void {
    this.capacity *= 2;
    this.columns = this.columns.map((old) => {
      const bigger = new Float64Array(this.capacity).fill(NaN);
      bigger.set(old);
      return bigger;
    });
  }
}

/** Seconds since the epoch from a number (seconds, or milliseconds when it is that large) or a date string. */
function wallTime(record: Record<string, unknown>): number | undefined {
  for (const field of timeFields) {
    const raw = record[field];
    if (typeof raw === 'number' && Number.isFinite(raw)) return raw > 1e11 ? raw / 1000 : raw;
    if (typeof raw === 'string') {
      const ms = parseIsoUtc(raw) ?? Date.parse(raw);
      if (Number.isFinite(ms)) return ms / 1000;
    }
  }
  return undefined;
}

const isoUtc = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?Z$/;

/** Milliseconds of `2025-01-01T00:00:02.500Z`, the form JS and Python loggers write; Date.parse is ~10× slower. */
function parseIsoUtc(text: string): number | undefined {
  const m = isoUtc.exec(text);
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
}

/**
 * The same columns as views of one Float64Array. Webview.postMessage sends every distinct ArrayBuffer as its own
 * argument of an RPC whose argument count is one byte, so a message holding more than ~250 buffers (15 runs × 17
 * metrics) never arrives; views of one buffer travel as one, whatever the number of runs.
 */
export function packColumns(tables: readonly MetricColumns[]): MetricColumns[] {
  const total = tables.reduce((sum, table) => sum + table.columns.reduce((n, column) => n + column.length, 0), 0);
  const buffer = new Float64Array(total);
  let offset = 0;
  return tables.map((table) => ({
    ...table,
    columns: table.columns.map((column) => {
      const view = buffer.subarray(offset, offset + column.length);
      view.set(column);
      offset += column.length;
      return view;
    }),
  }));
}
