// The message contract of the Evaluation panel (a run's checkpoint evaluations: a summary per checkpoint and split,
// and a paged, searchable table of the sampled completions), imported by the host and (types only) the webview.
// The webview says `ready`; the host sends `data`, then a `samples` page for the table's checkpoint. Pages and
// searches are the host's work: the webview never holds more than one page of samples.
import type { LoadErrorMessage, ResultsWebviewMessage, RunHeader, RunPanelState, SplitChoice } from '../results/commonProtocol';

/** One checkpoint's numbers on one split, from evals/<step>/summary.json (null where the engine had none). */
export interface CheckpointSplitRow {
  readonly step: number;
  readonly split: SplitChoice;
  readonly samples: number;
  readonly prompts: number;
  readonly meanReward: number;
  readonly meanRefReward: number;
  readonly lcReward: number;
  readonly lcSlope: number;
  readonly meanQuantile: number;
  readonly klK1PerSequence: number;
  readonly klK1PerToken: number;
  readonly klK3PerSequence: number;
  readonly klK3PerToken: number;
  readonly meanLength: number;
  readonly meanRefLength: number;
  readonly lengthBiasRho: number | null;
  readonly lengthBiasSlope: number | null;
}

/** One line of evals/<step>/samples.jsonl as the table shows it. */
export interface SampleRow {
  /** 0-based line in samples.jsonl. */
  readonly line: number;
  readonly promptKey: string;
  /** The prompt as text; a conversation is flattened to "role: content" lines. */
  readonly prompt: string;
  readonly completion: string;
  readonly reward: number | null;
  readonly quantile: number | null;
  readonly length: number | null;
  readonly lcReward: number | null;
  readonly implicitReward: number | null;
  readonly split: string;
  readonly finishReason: string;
}

/** What the panel shows, kept by the host and by the webview's saved state so a rebuilt webview shows the same. */
export interface EvaluationViewState {
  readonly split: SplitChoice;
  /** The checkpoint whose samples the table shows; undefined: the last evaluated one. */
  readonly tableStep?: number;
  readonly query: string;
  readonly offset: number;
}

export const SAMPLES_PAGE_SIZE = 25;

export interface EvaluationDataMessage {
  readonly type: 'data';
  readonly header: RunHeader;
  /** Evaluated steps, ascending; 0 is the model before training. */
  readonly steps: readonly number[];
  readonly checkpoints: readonly CheckpointSplitRow[];
  readonly view: EvaluationViewState;
  /** Things a researcher should know (no evaluation yet, a summary that did not parse). */
  readonly notes: readonly string[];
}

export interface SamplesPageMessage {
  readonly type: 'samples';
  readonly step: number;
  readonly query: string;
  readonly offset: number;
  readonly pageSize: number;
  /** Rows matching the query (all rows without one). */
  readonly total: number;
  /** All rows of the checkpoint's samples.jsonl. */
  readonly lines: number;
  readonly rows: readonly SampleRow[];
}

export type EvaluationHostMessage = EvaluationDataMessage | SamplesPageMessage | LoadErrorMessage;

export interface RequestSamplesMessage {
  readonly type: 'requestSamples';
  readonly step: number;
  readonly query: string;
  readonly offset: number;
}

export interface SelectSplitMessage {
  readonly type: 'selectSplit';
  readonly split: SplitChoice;
}

export type EvaluationWebviewMessage = ResultsWebviewMessage<RequestSamplesMessage | SelectSplitMessage>;

export type EvaluationPanelState = RunPanelState<EvaluationViewState>;

/** Parts the webview reports as `rendered`. */
export const EvaluationPart = { summary: 'summary', samples: 'samples' } as const;
