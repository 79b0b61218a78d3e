// The message contract of the Quantile Rewards panel, imported by the host and (types only) by the webview.
// The webview says `ready` first; the host answers with the data, and again after every `ready` (the webview is
// rebuilt when a hidden panel becomes visible or the window reloads). Numeric columns travel as Float64Array.

/** How the file was prepared, when the host knows it (it ran the preparation, or restored a panel that did). */
export interface PreparationInfo {
  readonly beta: number;
  readonly transform: string;
  readonly logZ?: number;
  readonly numRef?: number;
}

export interface QuantileRewardsDataMessage {
  readonly type: 'data';
  /** The prepared JSONL as a URI string, so a restored panel can find it again. */
  readonly file: string;
  /** A path for people: workspace-relative where possible. */
  readonly displayPath: string;
  readonly records: number;
  /** Lines that were not a record with numeric `quantile` and `target` (a torn last line is not counted). */
  readonly skippedLines: number;
  readonly quantiles: Float64Array;
  readonly targets: Float64Array;
  readonly preparation?: PreparationInfo;
}

export interface QuantileRewardsLoadErrorMessage {
  readonly type: 'loadError';
  readonly displayPath: string;
  readonly message: string;
}

export type QuantileRewardsHostMessage = QuantileRewardsDataMessage | QuantileRewardsLoadErrorMessage;

export interface ReadyMessage {
  readonly type: 'ready';
}

/** Sent after the charts have drawn the data (tests and screenshots wait for it). */
export interface RenderedMessage {
  readonly type: 'rendered';
  readonly records: number;
}

export interface CspViolationMessage {
  readonly type: 'cspViolation';
  readonly directive: string;
  readonly blockedUri: string;
  readonly sample: string;
}

export type QuantileRewardsWebviewMessage = ReadyMessage | RenderedMessage | CspViolationMessage;

/** What the webview keeps with `setState`, handed to the serializer when VS Code restores the panel. */
export interface QuantileRewardsPanelState {
  readonly file: string;
  readonly preparation?: PreparationInfo;
}
