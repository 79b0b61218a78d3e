// Messages every results panel shares (Evaluation, Length Bias, run Quantile Rewards, Dataset Preview), imported by
// the host and (types only) by the webviews. Each panel's protocol.ts adds its own messages to these.
export type { CspViolationMessage, ReadyMessage } from '../quantileRewards/protocol';
import type { CspViolationMessage, ReadyMessage } from '../quantileRewards/protocol';

/** Sent after the webview has drawn what it was sent; `what` names the part (tests and screenshots wait on it). */
export interface PanelRenderedMessage {
  readonly type: 'rendered';
  readonly what: string;
  /** How many items that part shows (points, rows, checkpoints), so a test can check it drew the data it got. */
  readonly count: number;
}

export type ExportFormat = 'csv' | 'json';

/** Asks the host to save the data behind a part of the panel; the host owns the data and writes the file. */
export interface ExportDataMessage {
  readonly type: 'exportData';
  readonly what: string;
  readonly format: ExportFormat;
}

export type CommonWebviewMessage = ReadyMessage | PanelRenderedMessage | CspViolationMessage | ExportDataMessage;

/** The host could not read what the panel shows; the webview says so in place of the data. */
export interface LoadErrorMessage {
  readonly type: 'loadError';
  readonly message: string;
}

/** The panels a results panel links to; the host runs the matching command for the same run. */
export type LinkedPanel = 'evaluation' | 'quantileRewards' | 'lengthBias' | 'trainingCurves';

export interface OpenPanelMessage {
  readonly type: 'openPanel';
  readonly panel: LinkedPanel;
}

/** What a run results webview may send: the common messages, a link to another panel, and the panel's own. */
export type ResultsWebviewMessage<Own> = CommonWebviewMessage | OpenPanelMessage | Own;

/** What a one-run panel's webview keeps with setState; the serializer restores the panel from it. */
export interface RunPanelState<View> {
  /** The run folder as a URI string. */
  readonly run: string;
  readonly view?: View;
}

/** What the host knows of a run, shown in each panel's header. */
export interface RunHeader {
  /** The run folder as a URI string (also the serializer's key). */
  readonly run: string;
  readonly name: string;
  /** Workspace-relative where possible. */
  readonly displayPath: string;
  readonly lossType?: string;
  readonly beta?: number;
  readonly transform?: string;
}

/** Split of evaluation samples as the engine writes it (eval/evalSplit.ts), plus both together. */
export type SplitChoice = 'all' | 'selection' | 'reporting';
export const SPLIT_CHOICES: readonly SplitChoice[] = ['all', 'selection', 'reporting'];
/** Per-point split codes in typed arrays: 0 selection, 1 reporting. */
export const SPLIT_CODE = { selection: 0, reporting: 1 } as const;
