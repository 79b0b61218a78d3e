// Median, min and max of repeated timings, rounded for the report.
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median: round(median), min: round(sorted[0]), max: round(sorted[sorted.length - 1]), runs: sorted.length };
}

export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * monitorEventLoopDelay records the time between its timer's runs, so a free loop reads about the resolution;
 * what the loop was held beyond that is the delay.
 */
export function delayBeyond(resolutionMs: number, nanoseconds: number): number {
  return round(Math.max(0, nanoseconds / 1e6 - resolutionMs));
}
