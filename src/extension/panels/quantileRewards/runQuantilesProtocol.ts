// The message contract of the run Quantile Rewards panel: for one run, the quantiles of (a) the dataset's
// completions (stages/quantiles), (b) each reference sample against the other reference samples of its prompt
// (leave-one-out, so Uniform under π_ref by construction: a check that the reference rewards are continuous and the
// pipeline sound), and (c) each evaluated checkpoint's samples, with the regression target f(q) − β·log Z as a
// curve. Imported by the host and (types only) the webview; quantiles travel as Float64Array.
import type { LoadErrorMessage, ResultsWebviewMessage, RunHeader, RunPanelState } from '../results/commonProtocol';

export interface QuantileGroup {
  readonly quantiles: Float64Array;
  /**
   * n when every quantile is a multiple of 1/n (n reference rewards per prompt): the webview then gives each of
   * the n + 1 possible values its own bin, so a uniform law draws flat instead of as a comb.
   */
  readonly levels?: number;
  /** The file it came from, run-relative, for the caption. */
  readonly source: string;
}

export interface CheckpointQuantiles {
  readonly step: number;
  readonly quantiles: Float64Array;
  /** 0 selection, 1 reporting (SPLIT_CODE). */
  readonly split: Uint8Array;
}

/** target(q) = f(clamp(q)) − β·log Z on a grid of q, for the overlay on a secondary axis. */
export interface TargetCurve {
  readonly transform: string;
  readonly beta: number;
  readonly logZ: number;
  /** Where log Z came from: the quantiles stage's summary, or computed here from run.json's settings. */
  readonly logZSource: 'prepared summary' | 'run.json';
  readonly q: Float64Array;
  readonly value: Float64Array;
  /** A caveat, e.g. scaled-normal-icdf's σₓ varies per prompt and the curve is drawn at σ = 1. */
  readonly note?: string;
}

export interface RunQuantilesViewState {
  /** The checkpoint shown; undefined: the last evaluated one. */
  readonly step?: number;
}

export interface RunQuantilesDataMessage {
  readonly type: 'data';
  readonly header: RunHeader;
  readonly dataset?: QuantileGroup;
  readonly reference?: QuantileGroup & { readonly prompts: number };
  readonly checkpoints: readonly CheckpointQuantiles[];
  /** n of the checkpoint quantiles (the reference samples per prompt), when known. */
  readonly evalLevels?: number;
  readonly target?: TargetCurve;
  readonly view: RunQuantilesViewState;
  readonly notes: readonly string[];
}

export type RunQuantilesHostMessage = RunQuantilesDataMessage | LoadErrorMessage;

export interface SelectStepMessage {
  readonly type: 'selectStep';
  readonly step: number;
}

export type RunQuantilesWebviewMessage = ResultsWebviewMessage<SelectStepMessage>;

export type RunQuantilesPanelState = RunPanelState<RunQuantilesViewState>;

/** Parts the webview reports as `rendered`; `checkpoint` again after every change of the selected step. */
export const RunQuantilesPart = { charts: 'charts', checkpoint: 'checkpoint' } as const;
