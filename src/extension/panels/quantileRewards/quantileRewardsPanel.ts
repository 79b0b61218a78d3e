// One Quantile Rewards panel: a webview showing the quantile and target histograms of one prepared JSONL. The host
// reads the file and owns the data; the webview is a projection that can be rebuilt at any time (it is not
// retained when hidden), so the host sends the data on every `ready`.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { qrpoLog } from '../../log';
import { renderWebviewHtml } from '../webviewHtml';
import { readPreparationSummary, readPreparedRewards } from './preparedRewardsFile';
import type { PreparationInfo, QuantileRewardsHostMessage, QuantileRewardsWebviewMessage } from './protocol';
import { asWebviewMessage } from './webviewMessageGuard';

export class QuantileRewardsPanel implements vscode.Disposable {
  private readonly rendered = new vscode.EventEmitter<number>();
  /** Fires with the record count each time the webview has drawn the data. */
  readonly onDidRender = this.rendered.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;

  private isDisposed = false;
  private violations = 0;
  private renderedRecords: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    readonly file: vscode.Uri,
    private preparation: PreparationInfo | undefined,
    private readonly extensionUri: vscode.Uri,
  ) {
    webviewPanel.webview.options = {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(extensionUri, 'dist'),
        vscode.Uri.joinPath(extensionUri, 'media'),
        vscode.Uri.joinPath(file, '..'),
      ],
    };
    webviewPanel.title = `Quantile Rewards: ${path.posix.basename(file.path)}`;
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'qrpo.svg');
    this.disposables.push(
      webviewPanel.webview.onDidReceiveMessage((message) => this.receive(message)),
      webviewPanel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  /** CSP violations the webview reported since the panel opened; a correct panel reports none. */
  get cspViolationCount(): number {
    return this.violations;
  }

  /** Record count of the last completed render, if any. */
  get lastRenderedRecords(): number | undefined {
    return this.renderedRecords;
  }

  /** Re-renders from scratch (fresh nonce), e.g. after the file was prepared again. */
  reload(preparation?: PreparationInfo): void {
    if (preparation) this.preparation = preparation;
    this.renderedRecords = undefined;
    this.render();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposables.length = 0;
    this.webviewPanel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
    this.rendered.dispose();
  }

  private render(): void {
    this.webviewPanel.webview.html = renderWebviewHtml({
      webview: this.webviewPanel.webview,
      extensionUri: this.extensionUri,
      title: this.webviewPanel.title,
      app: 'quantileRewards',
      stylesheets: ['quantileRewards.css'],
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const message = asWebviewMessage(raw);
    if (!message) {
      qrpoLog().warn(`Quantile Rewards panel sent an unknown message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    await this.handle(message);
  }

  private async handle(message: QuantileRewardsWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.post(await this.loadData());
        return;
      case 'rendered':
        this.renderedRecords = message.records;
        this.rendered.fire(message.records);
        return;
      case 'cspViolation':
        this.violations++;
        qrpoLog().error(
          `Content Security Policy violation in ${this.webviewPanel.title}: ${message.directive} blocked ${message.blockedUri || 'inline'} ${message.sample}`,
        );
        return;
    }
  }

  private async loadData(): Promise<QuantileRewardsHostMessage> {
    const displayPath = vscode.workspace.asRelativePath(this.file);
    try {
      const columns = await readPreparedRewards(this.file);
      this.preparation ??= await readPreparationSummary(this.file);
      return { type: 'data', file: this.file.toString(), displayPath, preparation: this.preparation, ...columns };
    } catch (error) {
      qrpoLog().error(`Could not read ${this.file.fsPath}: ${String(error)}`);
      return { type: 'loadError', displayPath, message: error instanceof Error ? error.message : String(error) };
    }
  }

  private post(message: QuantileRewardsHostMessage): Thenable<boolean> {
    return this.webviewPanel.webview.postMessage(message);
  }
}
