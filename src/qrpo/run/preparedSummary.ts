// The summary written beside a prepared JSONL, so that whoever opens the file later (the extension's panel, a
// script) knows β, the transform and log Z without re-running the preparation.

export interface PreparedSummary {
  dataset: string;
  records: number;
  invalid: number;
  prompts: number;
  beta: number;
  transform: string;
  numRef?: number;
  logZMode: 'exact' | 'simplified';
  /** Absent for scaled-normal-icdf, whose log Z differs per prompt. */
  logZ?: number;
  meanQuantile: number;
  meanTarget: number;
  /** Share of completions with a positive target: those QRPO pushes up at initialisation. */
  pushedUpShare: number;
  /** Counts of quantiles in equal bins over [0, 1]. */
  histogram: number[];
}

/** `data.prepared.jsonl` → `data.prepared.summary.json`. */
export function preparedSummaryPath(preparedPath: string): string {
  return preparedPath.endsWith('.jsonl') ? `${preparedPath.slice(0, -'.jsonl'.length)}.summary.json` : `${preparedPath}.summary.json`;
}
