// The message contract of the Compare Runs panel: the Training Curves contract (trainingCurves/protocol.ts) for the
// overlaid curves, plus the comparison table the host sends after each snapshot and when metrics change.
import type { CurvesHostMessage, RunIdentity } from '../trainingCurves/protocol';

/** How to read a row: which value is best, if any ('absMin': closest to 0, e.g. a length-bias ρ). */
export type Better = 'min' | 'max' | 'absMin';

/** A config field whose values differ between the runs; fields equal everywhere are counted, not listed. */
export interface ConfigDifference {
  readonly field: string;
  /** One per run, in table order; null where the run's config lacks the field. */
  readonly values: readonly (string | null)[];
}

export interface NumberRow {
  readonly label: string;
  /** Where the number comes from, for the tooltip: "last logged value of loss", "evals/<step>/summary.json". */
  readonly source: string;
  readonly values: readonly (number | null)[];
  /** For logged metrics: the best value over training, shown beside the final one. */
  readonly best?: readonly (number | null)[];
  readonly better?: Better;
}

export interface ComparisonTable {
  readonly runs: readonly RunIdentity[];
  readonly config: readonly ConfigDifference[];
  readonly identicalFields: number;
  readonly metrics: readonly NumberRow[];
  /** The latest evaluation of each run: its step, then the headline numbers. */
  readonly evalSteps: readonly (number | null)[];
  readonly evals: readonly NumberRow[];
}

export interface ComparisonMessage {
  readonly type: 'comparison';
  readonly table: ComparisonTable;
}

export type CompareRunsHostMessage = CurvesHostMessage | ComparisonMessage;
