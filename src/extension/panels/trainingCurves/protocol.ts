// The message contract of the Training Curves panel, imported by the host and (types only) by the webview. The
// Compare Runs panel speaks the same contract plus its table (compareRuns/protocol.ts).
//
// The webview says `ready` first (again after every rebuild: a hidden panel's webview is destroyed), and the host
// answers with a full `snapshot` of every run and the view it remembers. After that the host sends only `append`s
// with the rows a run's metrics.jsonl gained; each carries the row index it starts at, and a webview that finds a
// gap asks for a `resync` rather than drawing stale or shifted data. Numeric columns travel as Float64Array.

/** Which quantity the x axis shows: the optimizer step, tokens trained on (num_tokens, cumulative), or wall time. */
export type XAxis = 'step' | 'tokens' | 'time';

/** What the person chose to look at. The host keeps the latest one, so it survives hide/show and reloads. */
export interface CurvesViewState {
  /** Metric names drawn, one chart each, in this order. */
  readonly metrics: readonly string[];
  readonly xAxis: XAxis;
  /** EMA weight α in [0, 1): 0 draws the raw series only. */
  readonly smoothing: number;
  /** Run ids switched off in the legend. */
  readonly hiddenRuns: readonly string[];
}

/**
 * Columns of one run's metrics: row i of every column is the i-th logged line. `names[k]` names `columns[k]`;
 * a value the line did not have is NaN. Wall time, whatever the engine called it, arrives as column `time` in
 * seconds since the epoch.
 */
export interface MetricColumns {
  readonly rows: number;
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
}

export interface RunIdentity {
  /** The run folder's URI string: the key of everything about a run, and what its colour is hashed from. */
  readonly id: string;
  readonly name: string;
  /** Workspace-relative where possible. */
  readonly displayPath: string;
}

export interface RunSnapshot extends RunIdentity {
  readonly metrics: MetricColumns;
}

export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly runs: readonly RunSnapshot[];
  /** The view to show; fields left out take the webview's defaults (e.g. the default metrics that exist). */
  readonly view: Partial<CurvesViewState>;
}

export interface AppendMessage {
  readonly type: 'append';
  readonly run: string;
  /** Row index of the first row carried; the webview must hold exactly this many rows of the run already. */
  readonly start: number;
  readonly metrics: MetricColumns;
}

/** The host (a command argument, a test) changes part of the view; the webview applies it and renders. */
export interface SetViewMessage {
  readonly type: 'setView';
  readonly view: Partial<CurvesViewState>;
}

export type ExportFormat = 'png' | 'svg' | 'csv' | 'json';

/** Asks the webview for one chart's export; it answers with an `exportData` carrying the same requestId. */
export interface ExportRequestMessage {
  readonly type: 'exportRequest';
  readonly requestId: number;
  /** The metric whose chart is exported. */
  readonly chart: string;
  readonly format: ExportFormat;
}

export type CurvesHostMessage = SnapshotMessage | AppendMessage | SetViewMessage | ExportRequestMessage;

export interface ReadyMessage {
  readonly type: 'ready';
}

/** Sent once the charts show the data (after a snapshot, an append or a view change). */
export interface RenderedMessage {
  readonly type: 'rendered';
  /** Points drawn on all charts, after downsampling. */
  readonly points: number;
  /** From the data's arrival in the webview to the first frame after drawing. */
  readonly ms: number;
  readonly charts: number;
  readonly runs: number;
  /** Rows held per run, by run id. */
  readonly rows: Readonly<Record<string, number>>;
  /** Sum of every drawn (smoothed) y value: tells a test that smoothing changed what is on the canvas. */
  readonly digest: number;
  readonly view: CurvesViewState;
}

export interface ViewChangedMessage {
  readonly type: 'viewChanged';
  readonly view: CurvesViewState;
}

/** The webview found a gap in a run's rows (a lost append): the host answers with a fresh snapshot. */
export interface ResyncMessage {
  readonly type: 'resync';
}

export interface ExportDataMessage {
  readonly type: 'exportData';
  /** Set when answering the host's exportRequest; absent when the person clicked an export button. */
  readonly requestId?: number;
  readonly format: ExportFormat;
  /** Suggested file name, e.g. `loss.svg`. */
  readonly fileName: string;
  /** PNG travels as base64, the text formats as UTF-8 text. */
  readonly encoding: 'base64' | 'utf8';
  readonly content: string;
}

export interface CspViolationMessage {
  readonly type: 'cspViolation';
  readonly directive: string;
  readonly blockedUri: string;
  readonly sample: string;
}

export type CurvesWebviewMessage =
  | ReadyMessage
  | RenderedMessage
  | ViewChangedMessage
  | ResyncMessage
  | ExportDataMessage
  | CspViolationMessage;

/** What the webview keeps with setState: the serializer gets it back when VS Code restores the panel. */
export interface CurvesPanelState {
  readonly runs: readonly string[];
  readonly view?: CurvesViewState;
}

export const xAxes: readonly XAxis[] = ['step', 'tokens', 'time'];
export const exportFormats: readonly ExportFormat[] = ['png', 'svg', 'csv', 'json'];
