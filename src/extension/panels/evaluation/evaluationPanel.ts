// One Evaluation panel: a run's checkpoint evaluations (mean reward, LC reward, quantile, KL, length, length-bias ρ
// per checkpoint and split) and a table of the sampled completions that the host pages and searches. It also backs
// the run results custom editor (run.json, metrics.jsonl), which hands it the editor's webview panel. New
// evaluations appear live: the panel reloads when evals/*/summary.json or samples.jsonl is written.
import * as vscode from 'vscode';
import { exportTable, fileNamePart } from '../results/dataExport';
import { JsonlPages, parseObjectLine } from '../results/jsonlPages';
import { ResultsPanel, type OpenLinkedPanel } from '../results/resultsPanel';
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

export class EvaluationPanel extends ResultsPanel<EvaluationWebviewMessage, EvaluationHostMessage> {
  private view: EvaluationViewState;
  private settings: RunSettings | undefined;
  private rows: CheckpointSplitRow[] = [];
  private samplesSent: SamplesPageMessage | undefined;
  private readonly pages = new Map<number, JsonlPages<SampleRow>>();

  constructor(
    webviewPanel: vscode.WebviewPanel,
    readonly run: vscode.Uri,
    extensionUri: vscode.Uri,
    openLinked: OpenLinkedPanel,
    view?: EvaluationViewState,
    /** False for a custom editor: VS Code owns the webview panel's title and lifetime. */
    ownsPanel = true,
  ) {
    super({
      webviewPanel,
      extensionUri,
      app: 'evaluation',
      runs: [run],
      title: ownsPanel ? `Evaluation: ${run.path.split('/').filter(Boolean).pop()}` : undefined,
      parse: asEvaluationMessage,
      reloadOn: 'evals/*/{summary.json,samples.jsonl}',
      openLinked,
      ownsPanel,
    });
    this.view = view ?? { split: 'all', query: '', offset: 0 };
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
  override async exportData(what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
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

  protected override async handle(message: EvaluationWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'requestSamples':
        this.view = { ...this.view, tableStep: message.step, query: message.query, offset: message.offset };
        await this.sendSamples();
        return;
      case 'selectSplit':
        this.view = { ...this.view, split: message.split };
        return;
    }
  }

  protected override async send(): Promise<void> {
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
    if (step === undefined || this.disposed) return;
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
