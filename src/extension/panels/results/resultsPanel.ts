// What the Evaluation, Length Bias and run Quantile Rewards panels share around their PanelHost: the run folders
// they show, a debounced reload when the engine writes the files a panel follows, the links to a run's other
// panels, a load error shown in the panel rather than lost, and disposal. A panel class says which files it follows,
// loads and posts its data (`send`, which also answers every `ready`: the webview is rebuilt whenever the panel is
// shown again) and answers its own messages.
import * as vscode from 'vscode';
import { qrpoLog } from '../../log';
import type { LinkedPanel, LoadErrorMessage, OpenPanelMessage } from './commonProtocol';
import { PanelHost } from './panelHost';

export type OpenLinkedPanel = (panel: LinkedPanel, run: vscode.Uri) => unknown;

export interface ResultsPanelOptions<WebviewMessage> {
  readonly webviewPanel: vscode.WebviewPanel;
  readonly extensionUri: vscode.Uri;
  /** Which app webview/main.ts mounts. */
  readonly app: string;
  readonly runs: readonly vscode.Uri[];
  /** The tab's title; undefined where VS Code owns it (a custom editor). */
  readonly title?: string;
  readonly parse: (raw: unknown) => WebviewMessage | undefined;
  /** Run-relative glob of the files whose creation, change or deletion reloads the panel. */
  readonly reloadOn: string;
  readonly openLinked: OpenLinkedPanel;
  /** False for a custom editor: VS Code disposes of its webview panel, not the panel class. */
  readonly ownsPanel?: boolean;
}

const reloadDebounceMs = 300;

export abstract class ResultsPanel<WebviewMessage extends { type: string }, HostMessage extends { type: string }> implements vscode.Disposable {
  readonly host: PanelHost<WebviewMessage, HostMessage | LoadErrorMessage>;
  readonly webviewPanel: vscode.WebviewPanel;
  private readonly disposedEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposedEmitter.event;
  private readonly runFolders: readonly vscode.Uri[];
  private readonly openLinked: OpenLinkedPanel;
  private readonly ownsPanel: boolean;
  private readonly disposables: vscode.Disposable[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;

  constructor(options: ResultsPanelOptions<WebviewMessage>) {
    const { webviewPanel, runs } = options;
    this.webviewPanel = webviewPanel;
    this.runFolders = runs;
    this.openLinked = options.openLinked;
    this.ownsPanel = options.ownsPanel ?? true;
    if (options.title !== undefined) webviewPanel.title = options.title;
    this.host = new PanelHost<WebviewMessage, HostMessage | LoadErrorMessage>({
      webviewPanel,
      extensionUri: options.extensionUri,
      app: options.app,
      resourceRoots: runs,
      parse: options.parse,
      onReady: () => this.refresh(),
      onMessage: (message) => this.receive(message),
      onExport: (what, format) => this.exportData(what, format),
    });
    const scheduleReload = () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.refresh(), reloadDebounceMs);
    };
    for (const run of runs) {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(run, options.reloadOn));
      watcher.onDidCreate(scheduleReload);
      watcher.onDidChange(scheduleReload);
      watcher.onDidDelete(scheduleReload);
      this.disposables.push(watcher);
    }
    this.disposables.push(this.host, webviewPanel.onDidDispose(() => this.dispose()));
  }

  /** CSP violations the webview reported since the panel opened; a correct panel reports none. */
  get cspViolationCount(): number {
    return this.host.cspViolationCount;
  }

  /** Writes the data behind a part of the panel (`what`) to `target`, or to a file the user picks. */
  abstract exportData(what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined>;

  reveal(): void {
    this.webviewPanel.reveal();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.reloadTimer);
    vscode.Disposable.from(...this.disposables).dispose();
    if (this.ownsPanel) this.webviewPanel.dispose();
    this.disposedEmitter.fire();
    this.disposedEmitter.dispose();
  }

  protected get disposed(): boolean {
    return this.isDisposed;
  }

  /** Reads the run folders and posts what the webview shows. */
  protected abstract send(): Promise<void>;

  /** The panel's own messages (everything but the common ones and `openPanel`). */
  protected abstract handle(message: WebviewMessage): unknown;

  /** Sends the data again; a failure to read it is shown in the panel and logged. */
  protected async refresh(): Promise<void> {
    if (this.isDisposed) return;
    try {
      await this.send();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      qrpoLog().error(`${this.webviewPanel.title}: could not load: ${error instanceof Error ? (error.stack ?? message) : message}`);
      if (!this.isDisposed) await this.host.post({ type: 'loadError', message });
    }
  }

  private receive(message: WebviewMessage): unknown {
    if (message.type === 'openPanel') return this.openLinked((message as unknown as OpenPanelMessage).panel, this.runFolders[0]);
    return this.handle(message);
  }
}
