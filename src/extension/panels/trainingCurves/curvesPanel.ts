// One curves webview (Training Curves, or Compare Runs, which adds its table through `companionMessages`). The
// host owns the data: each run's metrics live in a shared LiveRunMetrics that tails metrics.jsonl. The webview is
// a projection rebuilt whenever the panel is shown again, so every `ready` gets a full snapshot plus the view the
// host remembers; between readies only appended rows travel. Nothing is sent while the webview is hidden (it does
// not exist then), so there is no stale state to catch up on.
import * as vscode from 'vscode';
import { qrpoLog } from '../../log';
import { saveChartExport, type ChartExportPayload } from '../shared/chartExportSaver';
import type { LiveRunMetrics, MetricsChange, RunMetricsStore } from '../shared/liveRunMetrics';
import { runName } from '../shared/runArguments';
import { packColumns } from '../shared/metricTable';
import { renderWebviewHtml } from '../webviewHtml';
import type {
  CurvesHostMessage,
  CurvesPanelState,
  CurvesViewState,
  CurvesWebviewMessage,
  ExportDataMessage,
  ExportFormat,
  RenderedMessage,
  RunIdentity,
} from './protocol';
import { asCurvesWebviewMessage, asViewState } from './webviewMessageGuard';

export interface CurvesRun {
  readonly identity: RunIdentity;
  readonly folder: vscode.Uri;
  readonly metrics: LiveRunMetrics;
}

export interface CurvesPanelKind {
  readonly viewType: string;
  /** The app webview/main.ts mounts. */
  readonly app: string;
  title(runs: readonly RunIdentity[]): string;
  /** Messages sent after each snapshot and, throttled, after metric changes (Compare Runs: its table). */
  companionMessages?(runs: readonly CurvesRun[]): Promise<readonly object[]>;
}

export interface CurvesRender extends Omit<RenderedMessage, 'type'> {
  /** Host-side: from the snapshot being posted to the webview's `rendered`. */
  readonly hostMs: number;
}

const companionThrottleMs = 1_000;
const exportTimeoutMs = 30_000;

export class CurvesPanel implements vscode.Disposable {
  private readonly renderedEmitter = new vscode.EventEmitter<CurvesRender>();
  /** Fires each time the webview has drawn (snapshot, append or view change). */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;

  readonly runs: readonly CurvesRun[];
  private readonly releases: (() => void)[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private view: Partial<CurvesViewState>;
  private synced = false;
  private snapshotPostedAt = 0;
  private violations = 0;
  private lastRender: CurvesRender | undefined;
  private nextRequestId = 1;
  private readonly pendingExports = new Map<number, (data: ExportDataMessage) => void>();
  private companionTimer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;
  private companions: readonly object[] = [];
  /** What the host has posted since the panel opened: live updates must be appends, not snapshots. */
  readonly sent = { snapshots: 0, appends: 0, appendedRows: 0 };

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    folders: readonly vscode.Uri[],
    view: Partial<CurvesViewState>,
    private readonly kind: CurvesPanelKind,
    store: RunMetricsStore,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.view = view;
    this.runs = folders.map((folder) => {
      const { metrics, release } = store.acquire(folder);
      this.releases.push(release);
      const identity = { id: folder.toString(), name: runName(folder), displayPath: vscode.workspace.asRelativePath(folder) };
      this.disposables.push(metrics.onDidChange((change) => this.onMetrics(identity.id, metrics, change)));
      return { identity, folder, metrics };
    });
    webviewPanel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...folders],
    };
    webviewPanel.title = kind.title(this.runs.map((r) => r.identity));
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'qrpo.svg');
    this.disposables.push(
      webviewPanel.webview.onDidReceiveMessage((message) => void this.receive(message)),
      webviewPanel.onDidChangeViewState(() => {
        if (!webviewPanel.visible) this.synced = false;
      }),
      webviewPanel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  get cspViolationCount(): number {
    return this.violations;
  }

  get lastRendered(): CurvesRender | undefined {
    return this.lastRender;
  }

  /** What the serializer needs to restore this panel. */
  get state(): CurvesPanelState {
    return { runs: this.runs.map((r) => r.identity.id), view: asViewState(this.view) };
  }

  /** The companion messages last sent (Compare Runs: its table). */
  get lastCompanionMessages(): readonly object[] {
    return this.companions;
  }

  get viewState(): CurvesViewState | undefined {
    return asViewState(this.view);
  }

  /** Changes part of the view (metrics, x axis, smoothing, hidden runs); the webview re-renders. */
  setView(view: Partial<CurvesViewState>): void {
    this.view = { ...this.view, ...view };
    void this.post({ type: 'setView', view });
  }

  /**
   * Exports the chart of `chart` (a metric name). With a destination the file is written there, else the person
   * picks one. Resolves to the written file, or undefined if the dialog was cancelled.
   */
  async exportChart(chart: string, format: ExportFormat, destination?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const requestId = this.nextRequestId++;
    const data = await new Promise<ExportDataMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingExports.delete(requestId);
        reject(new Error(`the ${format} export of ${chart} did not arrive within ${exportTimeoutMs / 1000} s; is the panel visible?`));
      }, exportTimeoutMs);
      this.pendingExports.set(requestId, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      void this.post({ type: 'exportRequest', requestId, chart, format });
    });
    return saveChartExport(data, destination);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.companionTimer);
    vscode.Disposable.from(...this.disposables).dispose();
    this.releases.forEach((release) => release());
    this.webviewPanel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
    this.renderedEmitter.dispose();
  }

  private render(): void {
    this.synced = false;
    this.webviewPanel.webview.html = renderWebviewHtml({
      webview: this.webviewPanel.webview,
      extensionUri: this.extensionUri,
      title: this.webviewPanel.title,
      app: this.kind.app,
      stylesheets: [],
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const message = asCurvesWebviewMessage(raw);
    if (!message) {
      qrpoLog().warn(`${this.webviewPanel.title} sent an unknown message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.handle(message);
  }

  private async handle(message: CurvesWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'resync':
        await this.sendSnapshot();
        return;
      case 'rendered': {
        const { type: _type, ...render } = message;
        this.view = message.view;
        this.lastRender = { ...render, hostMs: Date.now() - this.snapshotPostedAt };
        this.renderedEmitter.fire(this.lastRender);
        return;
      }
      case 'viewChanged':
        this.view = message.view;
        return;
      case 'exportData':
        await this.receiveExport(message);
        return;
      case 'cspViolation':
        this.violations++;
        qrpoLog().error(`Content Security Policy violation in ${this.webviewPanel.title}: ${message.directive} blocked ${message.blockedUri || 'inline'} ${message.sample}`);
        return;
    }
  }

  private async sendSnapshot(): Promise<void> {
    await Promise.all(this.runs.map((run) => run.metrics.loaded));
    if (this.isDisposed) return;
    this.snapshotPostedAt = Date.now();
    // Built synchronously from the tables, so later appends continue exactly where the snapshot ends.
    const tables = packColumns(this.runs.map((run) => run.metrics.table.slice(0)));
    const runs = this.runs.map((run, i) => ({ ...run.identity, metrics: tables[i] }));
    this.synced = true;
    this.sent.snapshots++;
    if (!(await this.post({ type: 'snapshot', runs, view: this.view }))) this.synced = false;
    await this.sendCompanions();
  }

  private onMetrics(runId: string, metrics: LiveRunMetrics, change: MetricsChange): void {
    if (!this.synced) return;
    if (change.restarted) {
      void this.sendSnapshot();
      return;
    }
    const rows = metrics.table.slice(change.start);
    this.sent.appends++;
    this.sent.appendedRows += rows.rows;
    void this.post({ type: 'append', run: runId, start: change.start, metrics: rows });
    if (this.kind.companionMessages && this.companionTimer === undefined) {
      this.companionTimer = setTimeout(() => {
        this.companionTimer = undefined;
        void this.sendCompanions();
      }, companionThrottleMs);
    }
  }

  private async sendCompanions(): Promise<void> {
    if (!this.kind.companionMessages) return;
    try {
      this.companions = await this.kind.companionMessages(this.runs);
      for (const message of this.companions) await this.webviewPanel.webview.postMessage(message);
    } catch (error) {
      qrpoLog().error(`${this.webviewPanel.title}: ${String(error)}`);
    }
  }

  private async receiveExport(message: ExportDataMessage): Promise<void> {
    const pending = message.requestId === undefined ? undefined : this.pendingExports.get(message.requestId);
    if (pending) {
      this.pendingExports.delete(message.requestId!);
      pending(message);
      return;
    }
    const payload: ChartExportPayload = message;
    try {
      const written = await saveChartExport(payload);
      if (written) void vscode.window.showInformationMessage(`Exported ${vscode.workspace.asRelativePath(written)}`);
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not export ${message.fileName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async post(message: CurvesHostMessage): Promise<boolean> {
    if (this.isDisposed) return false;
    try {
      return await this.webviewPanel.webview.postMessage(message);
    } catch (error) {
      // A message the webview transport refuses would otherwise leave the panel on "Loading…" without a trace.
      qrpoLog().error(`${this.webviewPanel.title}: a '${message.type}' message could not be delivered: ${String(error)}`);
      return false;
    }
  }
}
