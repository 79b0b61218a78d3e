// The JSON events `qrpo … --json` prints on stdout, one object per line. Each line is validated on arrival: the
// CLI is another program, and a malformed line is logged rather than trusted.

export interface ProgressEvent {
  readonly event: 'progress';
  readonly records: number;
}

export interface InvalidRecordEvent {
  readonly event: 'invalid';
  readonly message: string;
}

export interface PrepareSummaryEvent {
  readonly event: 'summary';
  readonly records: number;
  readonly invalid: number;
  /** Absolute path of the prepared JSONL. */
  readonly out: string;
  readonly beta: number;
  readonly transform: string;
  readonly logZ: number;
  /** Counts of quantiles in 10 equal bins on [0, 1]. */
  readonly histogram: readonly number[];
}

export interface CliErrorEvent {
  readonly event: 'error';
  readonly message: string;
}

export type CliEvent = ProgressEvent | InvalidRecordEvent | PrepareSummaryEvent | CliErrorEvent;

/** The JSON object on one stdout line, or undefined when the line holds anything else. */
export function jsonObjectLine(line: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The event on one stdout line, or undefined when the line is not a well-formed event. */
export function parseCliEvent(line: string): CliEvent | undefined {
  const v = jsonObjectLine(line);
  if (!v) return undefined;
  switch (v.event) {
    case 'progress':
      return isCount(v.records) ? { event: 'progress', records: v.records } : undefined;
    case 'invalid':
    case 'error':
      return typeof v.message === 'string' ? { event: v.event, message: v.message } : undefined;
    case 'summary':
      return isSummary(v) ? (v as unknown as PrepareSummaryEvent) : undefined;
    default:
      return undefined;
  }
}

function isSummary(v: Record<string, unknown>): boolean {
  return (
    isCount(v.records) &&
    isCount(v.invalid) &&
    typeof v.out === 'string' &&
    typeof v.beta === 'number' &&
    typeof v.transform === 'string' &&
    typeof v.logZ === 'number' &&
    Array.isArray(v.histogram) &&
    v.histogram.every(isCount)
  );
}

function isCount(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
