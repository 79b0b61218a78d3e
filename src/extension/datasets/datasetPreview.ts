// One open Dataset Preview: pages of a dataset file with each row's records or validation problem, a background
// count of rows and invalid rows, and a filter to page through the invalid rows only. Reloads when the file changes.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PanelHost } from '../panels/results/panelHost';
import { datasetFormat, previewRows, RowCursor } from './datasetRows';
import { asDatasetPreviewMessage } from './messageGuard';
import { DATASET_PAGE_SIZE, type DatasetCountsMessage, type DatasetPageMessage, type DatasetPreviewHostMessage, type DatasetPreviewWebviewMessage, type PreviewRow } from './protocol';

const FIRST_PROBLEMS = 100;

export class DatasetPreview implements vscode.Disposable {
  readonly host: PanelHost<DatasetPreviewWebviewMessage, DatasetPreviewHostMessage>;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private readonly displayPath: string;
  private cursors: { all: RowCursor; invalid: RowCursor };
  private view = { offset: 0, onlyInvalid: false };
  private counts: Promise<DatasetCountsMessage> | undefined;
  private lastPage: DatasetPageMessage | undefined;
  /** Page requests run one at a time: a cursor serves one caller. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private isDisposed = false;

  constructor(
    readonly file: vscode.Uri,
    readonly webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
  ) {
    this.displayPath = vscode.workspace.asRelativePath(file);
    this.cursors = this.newCursors();
    this.host = new PanelHost<DatasetPreviewWebviewMessage, DatasetPreviewHostMessage>({
      webviewPanel,
      extensionUri,
      app: 'datasetPreview',
      resourceRoots: [vscode.Uri.joinPath(file, '..')],
      parse: asDatasetPreviewMessage,
      onReady: () => this.enqueue(() => this.sendAll()),
      onMessage: (message) => {
        if (message.type === 'requestPage') {
          this.view = { offset: message.offset, onlyInvalid: message.onlyInvalid };
          return this.enqueue(() => this.sendPage());
        }
      },
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(file, '..'), path.posix.basename(file.path)));
    watcher.onDidChange(() => this.enqueue(() => this.reset()));
    this.disposables.push(watcher, this.host, webviewPanel.onDidDispose(() => this.dispose()));
  }

  get cspViolationCount(): number {
    return this.host.cspViolationCount;
  }

  get lastPageSent(): DatasetPageMessage | undefined {
    return this.lastPage;
  }

  /** Counts of the whole file, once the background pass has finished. */
  countsOfFile(): Promise<DatasetCountsMessage> {
    this.counts ??= this.count();
    return this.counts;
  }

  /** Shows a page as the webview's controls would. */
  showPage(offset: number, onlyInvalid: boolean): Promise<void> {
    this.view = { offset, onlyInvalid };
    return this.enqueue(() => this.sendPage());
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    void this.cursors.all.close();
    void this.cursors.invalid.close();
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private newCursors(): { all: RowCursor; invalid: RowCursor } {
    const open = () => previewRows(this.file.fsPath, this.displayPath);
    return { all: new RowCursor(open, () => true), invalid: new RowCursor(open, (row) => row.problem !== undefined) };
  }

  private async reset(): Promise<void> {
    await this.cursors.all.close();
    await this.cursors.invalid.close();
    this.cursors = this.newCursors();
    this.counts = undefined;
    await this.sendAll();
  }

  private async sendAll(): Promise<void> {
    await this.sendPage();
    void this.countsOfFile().then((counts) => !this.isDisposed && this.host.post(counts), () => undefined);
  }

  private async sendPage(): Promise<void> {
    if (this.isDisposed) return;
    const { offset, onlyInvalid } = this.view;
    const aligned = offset - (offset % DATASET_PAGE_SIZE);
    let format: string;
    let page: { rows: PreviewRow[]; hasMore: boolean };
    try {
      format = datasetFormat(this.file.fsPath);
      page = await (onlyInvalid ? this.cursors.invalid : this.cursors.all).page(aligned, DATASET_PAGE_SIZE);
    } catch (error) {
      await this.host.post({ type: 'loadError', displayPath: this.displayPath, message: (error instanceof Error ? error.message : String(error)).split(this.file.fsPath).join(this.displayPath) });
      return;
    }
    this.lastPage = { type: 'page', displayPath: this.displayPath, format, offset: aligned, pageSize: DATASET_PAGE_SIZE, onlyInvalid, rows: page.rows, hasMore: page.hasMore };
    await this.host.post(this.lastPage);
  }

  private async count(): Promise<DatasetCountsMessage> {
    let rows = 0;
    let records = 0;
    let invalidRows = 0;
    const firstProblems: DatasetCountsMessage['firstProblems'][number][] = [];
    for await (const row of previewRows(this.file.fsPath, this.displayPath)) {
      if (this.isDisposed) break;
      rows++;
      records += row.records.length;
      if (row.problem) {
        invalidRows++;
        if (firstProblems.length < FIRST_PROBLEMS) firstProblems.push({ ...row.problem, position: row.position });
      }
    }
    return { type: 'counts', rows, records, invalidRows, firstProblems };
  }
}
