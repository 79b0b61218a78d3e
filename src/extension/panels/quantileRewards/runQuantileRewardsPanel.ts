// One run Quantile Rewards panel: the dataset's, the reference samples' (leave-one-out) and each checkpoint's
// quantile histograms of a run, with the target curve. The prepared-file panel (quantileRewardsPanel.ts) stays for
// files outside runs; this one follows a run folder and reloads when a stage or an evaluation finishes.
import * as vscode from 'vscode';
import type { LinkedPanel } from '../results/commonProtocol';
import { exportTable, fileNamePart, type Cell, type ExportTable } from '../results/dataExport';
import { PanelHost } from '../results/panelHost';
import { readRunSettings } from '../results/runResultsFolder';
import { readRunQuantiles } from './runQuantilesData';
import { asRunQuantilesMessage } from './runQuantilesGuard';
import type { RunQuantilesDataMessage, RunQuantilesHostMessage, RunQuantilesViewState, RunQuantilesWebviewMessage } from './runQuantilesProtocol';

const reloadDebounceMs = 300;

export class RunQuantileRewardsPanel implements vscode.Disposable {
  readonly host: PanelHost<RunQuantilesWebviewMessage, RunQuantilesHostMessage>;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private view: RunQuantilesViewState;
  private data: RunQuantilesDataMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    readonly run: vscode.Uri,
    extensionUri: vscode.Uri,
    private readonly openLinked: (panel: LinkedPanel, run: vscode.Uri) => unknown,
    view?: RunQuantilesViewState,
  ) {
    this.view = view ?? {};
    webviewPanel.title = `Quantile Rewards: ${run.path.split('/').filter(Boolean).pop()}`;
    this.host = new PanelHost<RunQuantilesWebviewMessage, RunQuantilesHostMessage>({
      webviewPanel,
      extensionUri,
      app: 'runQuantileRewards',
      resourceRoots: [run],
      parse: asRunQuantilesMessage,
      onReady: () => this.send(),
      onMessage: (message) => this.handle(message),
      onExport: (what, format) => this.exportData(what, format),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(run, '{evals/*/summary.json,stages/quantiles/*.summary.json,stages/reward_scoring/summary.json}'),
    );
    const reload = () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.send(), reloadDebounceMs);
    };
    watcher.onDidCreate(reload);
    watcher.onDidChange(reload);
    this.disposables.push(watcher, this.host, webviewPanel.onDidDispose(() => this.dispose()));
  }

  get cspViolationCount(): number {
    return this.host.cspViolationCount;
  }

  get viewState(): RunQuantilesViewState {
    return this.view;
  }

  get lastData(): RunQuantilesDataMessage | undefined {
    return this.data;
  }

  /** Selects the checkpoint shown, as the webview's slider does, and redraws. */
  async selectStep(step: number): Promise<void> {
    this.view = { step };
    await this.send();
  }

  async exportData(_what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const data = this.data ?? (await this.load());
    return exportTable(quantilesTable(fileNamePart(data.header.name), data), format, this.run, target);
  }

  reveal(): void {
    this.webviewPanel.reveal();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.reloadTimer);
    vscode.Disposable.from(...this.disposables).dispose();
    this.webviewPanel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }

  private async handle(message: RunQuantilesWebviewMessage): Promise<void> {
    if (message.type === 'selectStep') this.view = { step: message.step };
    else if (message.type === 'openPanel') await this.openLinked(message.panel, this.run);
  }

  private async load(): Promise<RunQuantilesDataMessage> {
    const settings = await readRunSettings(this.run);
    return { type: 'data', ...(await readRunQuantiles(this.run, settings)), view: this.view };
  }

  private async send(): Promise<void> {
    if (this.isDisposed) return;
    try {
      this.data = await this.load();
      await this.host.post(this.data);
    } catch (error) {
      await this.host.post({ type: 'loadError', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

function quantilesTable(base: string, data: RunQuantilesDataMessage): ExportTable {
  function* rows(): Generator<Cell[]> {
    if (data.dataset) for (const q of data.dataset.quantiles) yield ['dataset', null, null, q];
    if (data.reference) for (const q of data.reference.quantiles) yield ['reference (leave-one-out)', null, null, q];
    for (const c of data.checkpoints) for (let i = 0; i < c.quantiles.length; i++) yield ['checkpoint', c.step, c.split[i] === 0 ? 'selection' : 'reporting', c.quantiles[i]];
  }
  return { name: `${base}-quantiles`, columns: ['group', 'step', 'split', 'quantile'], rows: rows() };
}
