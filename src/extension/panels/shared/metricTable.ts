// One run's metrics as growing columns, the form the webview draws from. Every numeric field of a line becomes a
// column (TRL/QRPO names as logged); a field first seen late gets NaN for the earlier rows. Wall time is kept
// under one name, `time`, in seconds since the epoch, whichever spelling and unit the writer used.
// Lines from one writer list their fields in the same order, so which column each field fills is worked out once
// per distinct field order (a RowLayout), not once per field of every line.
import type { MetricColumns } from '../trainingCurves/protocol';

/** Field names taken for the wall-clock time of a line, in order of preference. */
const timeFields = ['time', 'timestamp', 'wall_time', '_timestamp'];

/** A field with no column yet (no line had a number in it), and a wall-time field, which fills `time` instead. */
const noColumn = -1;
const timeField = -2;
/** Field orders remembered at most; a writer whose lines all differ just gets its layouts worked out again. */
const maxLayouts = 64;

interface RowLayout {
  readonly fields: readonly string[];
  /** Per field: its column, noColumn or timeField. */
  readonly columns: number[];
  /** The wall-time fields present, in order of preference. */
  readonly timeFields: readonly string[];
}

export class MetricTable {
  private readonly index = new Map<string, number>();
  private readonly layouts = new Map<string, RowLayout>();
  private lastLayout: RowLayout | undefined;
  private timeColumn = noColumn;
  private names: string[] = [];
  private columns: Float64Array[] = [];
  private capacity = 256;
  private count = 0;

  get rows(): number {
    return this.count;
  }

  clear(): void {
    this.index.clear();
    this.layouts.clear();
    this.lastLayout = undefined;
    this.timeColumn = noColumn;
    this.names = [];
    this.columns = [];
    this.capacity = 256;
    this.count = 0;
  }

  /** Rows past the last one start as NaN (columns are created and grown NaN-filled), so only numbers are written. */
  append(records: readonly Record<string, unknown>[]): void {
    for (const record of records) {
      if (this.count === this.capacity) this.grow();
      const row = this.count++;
      const fields = Object.keys(record);
      const layout = this.layoutOf(fields);
      const { columns } = layout;
      for (let i = 0; i < fields.length; i++) {
        const raw = record[fields[i]];
        if (typeof raw !== 'number' || !Number.isFinite(raw) || columns[i] === timeField) continue;
        if (columns[i] === noColumn) columns[i] = this.columnIndex(fields[i]);
        this.columns[columns[i]][row] = raw;
      }
      const time = layout.timeFields.length ? wallTime(record, layout.timeFields) : undefined;
      if (time === undefined) continue;
      if (this.timeColumn === noColumn) this.timeColumn = this.columnIndex('time');
      this.columns[this.timeColumn][row] = time;
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

  private layoutOf(fields: readonly string[]): RowLayout {
    if (this.lastLayout && sameFields(this.lastLayout.fields, fields)) return this.lastLayout;
    const key = fields.join('\n');
    let layout = this.layouts.get(key);
    if (!layout) {
      layout = {
        fields,
        columns: fields.map((name) => (timeFields.includes(name) ? timeField : (this.index.get(name) ?? noColumn))),
        timeFields: timeFields.filter((name) => fields.includes(name)),
      };
      if (this.layouts.size === maxLayouts) this.layouts.clear();
      this.layouts.set(key, layout);
    }
    this.lastLayout = layout;
    return layout;
  }

  private columnIndex(name: string): number {
    let k = this.index.get(name);
    if (k === undefined) {
      k = this.columns.length;
      this.index.set(name, k);
      this.names.push(name);
      this.columns.push(new Float64Array(this.capacity).fill(NaN));
    }
    return k;
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

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Seconds since the epoch from a number (seconds, or milliseconds when it is that large) or a date string. */
function wallTime(record: Record<string, unknown>, fields: readonly string[]): number | undefined {
  for (const field of fields) {
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
