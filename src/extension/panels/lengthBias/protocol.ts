// The message contract of the Length Bias panel (the paper's Figure 4: standardised length against implicit reward
// per run and checkpoint, with a least-squares line and Spearman's ρ; and generation length over training),
// imported by the host and (types only) the webview. Points travel as Float64Array; the host computes the fits
// (src/qrpo/math linearFit and spearman) so the numbers in the legend are the engine's.
import type { LoadErrorMessage, ResultsWebviewMessage, RunHeader, SplitChoice } from '../results/commonProtocol';

export interface FitSummary {
  readonly slope: number;
  readonly intercept: number;
  readonly r2: number;
  readonly spearman: number;
  readonly samples: number;
}

/** One run at one checkpoint: its evaluation samples whose length could be standardised. */
export interface LengthBiasSeries {
  /** `<run uri>#<step>`, stable across reloads (the webview's visibility choices refer to it). */
  readonly key: string;
  readonly run: string;
  readonly runName: string;
  readonly lossType?: string;
  readonly step: number;
  /** (length − μl)/σl against the prompt's reference lengths: `length_z` in samples.jsonl. */
  readonly x: Float64Array;
  /** Σ_t log πθ − log π_ref on the sample: `implicit_reward`. */
  readonly y: Float64Array;
  /** 0 selection, 1 reporting (SPLIT_CODE). */
  readonly split: Uint8Array;
  /** Fits per split; null where fewer than two samples or a constant length leave no line to fit. */
  readonly fits: Readonly<Record<SplitChoice, FitSummary | null>>;
}

/** Mean generation length per evaluated checkpoint of one run, and a length metric from metrics.jsonl if logged. */
export interface LengthOverSteps {
  readonly run: string;
  readonly runName: string;
  readonly steps: Float64Array;
  readonly meanLength: Float64Array;
  /** The reference completions' mean length on the same prompts. */
  readonly meanRefLength: number | null;
  readonly metric?: { readonly name: string; readonly steps: Float64Array; readonly values: Float64Array };
}

export interface LengthBiasViewState {
  readonly split: SplitChoice;
  /** Keys of the series drawn; undefined: each run's last checkpoint. */
  readonly shown?: readonly string[];
}

export interface LengthBiasDataMessage {
  readonly type: 'data';
  /** Colours come from webview/shared/runColours.ts (a hash of the run URI): the same run, the same colour everywhere. */
  readonly runs: readonly RunHeader[];
  readonly series: readonly LengthBiasSeries[];
  readonly lengths: readonly LengthOverSteps[];
  readonly view: LengthBiasViewState;
  readonly notes: readonly string[];
}

export type LengthBiasHostMessage = LengthBiasDataMessage | LoadErrorMessage;

export interface LengthBiasViewMessage {
  readonly type: 'view';
  readonly view: LengthBiasViewState;
}

export type LengthBiasWebviewMessage = ResultsWebviewMessage<LengthBiasViewMessage>;

export interface LengthBiasPanelState {
  readonly runs: readonly string[];
  readonly view?: LengthBiasViewState;
}

export const LengthBiasPart = { scatter: 'scatter', lengths: 'lengths' } as const;
