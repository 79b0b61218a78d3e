// One Evaluation panel: a run's checkpoint evaluations (mean reward, LC reward, quantile, KL, length, length-bias ρ
// per checkpoint and split) and a table of the sampled completions that the host pages and searches. It also backs
// the run results custom editor (run.json, metrics.jsonl), which hands it the editor's webview panel. New
// evaluations appear live: a watcher on evals/*/summary.json triggers a debounced reload.
import * as vscode from 'vscode';
import { PanelHost } from '../results/panelHost';
import type { LinkedPanel } from '../results/commonProtocol';
import { exportTable, fileNamePart } from '../results/dataExport';
import { JsonlPages, parseObjectLine } from '../results/jsonlPages';
import { evaluatedSteps, evalSamplesFile, readRunSettings, readStepSummary, type RunSettings } from '../results/runResultsFolder';
import { checkpointRows, sampleMatches, sampleRowOf, samplesTable, summaryTable } from './evaluationData';
import { asEvaluationMessage } from './messageGuard';
import {
  SAMPLES_PAGE_SIZE,
  type CheckpointSplitRow,
  type EvaluationDataMessage,
  type EvaluationHostMessage,
  type EvaluationViewState,
  type EvaluationWebviewMessage,
  type SampleRow,
  type SamplesPageMessage,
} from './protocol';

export type OpenLinkedPanel = (panel: LinkedPanel, run: vscode.Uri) => unknown;

const reloadDebounceMs = 300;

export class EvaluationPanel implements vscode.Disposable {
  readonly host: PanelHost<EvaluationWebviewMessage, EvaluationHostMessage>;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private view: EvaluationViewState;
  private settings: RunSettings | undefined;
  private rows: CheckpointSplitRow[] = [];
  private samplesSent: SamplesPageMessage | undefined;
  private readonly pages = new Map<number, JsonlPages<SampleRow>>();
  private readonly disposables: vscode.Disposable[] = [];
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private isDisposed = false;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    readonly run: vscode.Uri,
    extensionUri: vscode.Uri,
    private readonly openLinked: OpenLinkedPanel,
    view?: EvaluationViewState,
    /** Set for a custom editor: VS Code owns the webview panel's title and lifetime. */
    readonly ownsPanel = true,
  ) {
    this.view = view ?? { split: 'all', query: '', offset: 0 };
    if (ownsPanel) webviewPanel.title = `Evaluation: ${run.path.split('/').filter(Boolean).pop()}`;
    this.host = new PanelHost<EvaluationWebviewMessage, EvaluationHostMessage>({
      webviewPanel,
      extensionUri,
      app: 'evaluation',
      resourceRoots: [run],
      parse: asEvaluationMessage,
      onReady: () => this.sendAll(),
      onMessage: (message) => this.handle(message),
      onExport: (what, format) => this.exportData(what, format),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(run, 'evals/*/{summary.json,samples.jsonl}'));
    const scheduleReload = () => {
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.sendAll(), reloadDebounceMs);
    };
    watcher.onDidCreate(scheduleReload);
    watcher.onDidChange(scheduleReload);
    watcher.onDidDelete(scheduleReload);
    this.disposables.push(watcher, this.host, webviewPanel.onDidDispose(() => this.dispose()));
  }

  get cspViolationCount(): number {
    return this.host.cspViolationCount;
  }

  get viewState(): EvaluationViewState {
    return this.view;
  }

  /** The checkpoint rows last sent to the webview. */
  get checkpointRows(): readonly CheckpointSplitRow[] {
    return this.rows;
  }

  /** The samples page last sent to the webview. */
  get lastSamplesPage(): SamplesPageMessage | undefined {
    return this.samplesSent;
  }

  /** Shows the samples of `step` matching `query` from `offset`, as if the user had asked in the webview. */
  async showSamples(step: number, query: string, offset: number): Promise<void> {
    await this.handle({ type: 'requestSamples', step, query, offset });
  }

  /** Writes the summary (`what` = summary) or the table's matching samples (`samples`) to `target` or a picked file. */
  async exportData(what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const name = fileNamePart(this.settings?.header.name ?? 'run');
    if (what === 'samples') {
      const step = await this.tableStep();
      if (step === undefined) return undefined;
      const rows: SampleRow[] = [];
      for await (const row of this.samplePages(step).rows(this.view.query)) rows.push(row);
      return exportTable(samplesTable(`${name}-step-${step}-samples`, rows), format, this.run, target);
    }
    return exportTable(summaryTable(`${name}-evaluation-summary`, this.rows), format, this.run, target);
  }

  reveal(): void {
    this.webviewPanel.reveal();
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.reloadTimer);
    vscode.Disposable.from(...this.disposables).dispose();
    if (this.ownsPanel) this.webviewPanel.dispose();
    this.disposed.fire();
    this.disposed.dispose();
  }

  private async handle(message: EvaluationWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'requestSamples':
        this.view = { ...this.view, tableStep: message.step, query: message.query, offset: message.offset };
        await this.sendSamples();
        return;
      case 'selectSplit':
        this.view = { ...this.view, split: message.split };
        return;
      case 'openPanel':
        await this.openLinked(message.panel, this.run);
        return;
    }
  }

  private async sendAll(): Promise<void> {
    if (this.isDisposed) return;
    this.settings = await readRunSettings(this.run);
    const steps = await evaluatedSteps(this.run);
    const rows: CheckpointSplitRow[] = [];
    for (const step of steps) {
      const summary = await readStepSummary(this.run, step);
      if (summary) rows.push(...checkpointRows(step, summary));
    }
    this.rows = rows;
    const notes: string[] = [];
    if (steps.length === 0) notes.push('No evaluation yet: the evaluation stage writes evals/<step>/ for step 0 (before training) and each checkpoint.');
    if (this.view.tableStep !== undefined && !steps.includes(this.view.tableStep)) this.view = { ...this.view, tableStep: undefined, offset: 0 };
    const data: EvaluationDataMessage = { type: 'data', header: this.settings.header, steps, checkpoints: rows, view: this.view, notes };
    await this.host.post(data);
    await this.sendSamples();
  }

  private async tableStep(): Promise<number | undefined> {
    if (this.view.tableStep !== undefined) return this.view.tableStep;
    const steps = await evaluatedSteps(this.run);
    return steps[steps.length - 1];
  }

  private async sendSamples(): Promise<void> {
    const step = await this.tableStep();
    if (step === undefined || this.isDisposed) return;
    let page;
    try {
      page = await this.samplePages(step).page(this.view.offset, SAMPLES_PAGE_SIZE, this.view.query);
    } catch (error) {
      await this.host.post({ type: 'loadError', message: `Could not read the samples of step ${step}: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    this.view = { ...this.view, offset: page.offset };
    const message: SamplesPageMessage = {
      type: 'samples',
      step,
      query: this.view.query,
      offset: page.offset,
      pageSize: SAMPLES_PAGE_SIZE,
      total: page.total,
      lines: page.lines,
      rows: page.rows.map((r) => r.row),
    };
    this.samplesSent = message;
    await this.host.post(message);
  }

  private samplePages(step: number): JsonlPages<SampleRow> {
    let pages = this.pages.get(step);
    if (!pages) {
      pages = new JsonlPages<SampleRow>(evalSamplesFile(this.run, step), (text, line) => sampleRowOf(parseObjectLine(text), line), sampleMatches);
      this.pages.set(step, pages);
    }
    return pages;
  }
}
