// One Length Bias panel over one or several runs: the scatter of standardised length against implicit reward per
// run and checkpoint with fit lines and ρ, and generation length over training. The host reads the evaluations and
// computes the fits; the webview draws and reports which series the user shows. Reloads when an evaluation lands.
import * as vscode from 'vscode';
import { SPLIT_CHOICES } from '../results/commonProtocol';
import { exportTable, fileNamePart, type Cell, type ExportTable } from '../results/dataExport';
import { ResultsPanel, type OpenLinkedPanel } from '../results/resultsPanel';
import { readRunSettings } from '../results/runResultsFolder';
import { runSeries } from './lengthBiasData';
import { asLengthBiasMessage } from './messageGuard';
import type { LengthBiasDataMessage, LengthBiasHostMessage, LengthBiasSeries, LengthBiasViewState, LengthBiasWebviewMessage, LengthOverSteps } from './protocol';

export class LengthBiasPanel extends ResultsPanel<LengthBiasWebviewMessage, LengthBiasHostMessage> {
  private view: LengthBiasViewState;
  private data: LengthBiasDataMessage | undefined;

  constructor(
    webviewPanel: vscode.WebviewPanel,
    readonly runs: readonly vscode.Uri[],
    extensionUri: vscode.Uri,
    openLinked: OpenLinkedPanel,
    view?: LengthBiasViewState,
  ) {
    const names = runs.map((run) => run.path.split('/').filter(Boolean).pop());
    super({
      webviewPanel,
      extensionUri,
      app: 'lengthBias',
      runs,
      title: `Length Bias: ${names.length > 2 ? `${names.length} runs` : names.join(', ')}`,
      parse: asLengthBiasMessage,
      reloadOn: 'evals/*/summary.json',
      openLinked,
    });
    this.view = view ?? { split: 'all' };
  }

  get viewState(): LengthBiasViewState {
    return this.view;
  }

  /** The data last sent to the webview (series with their fits). */
  get lastData(): LengthBiasDataMessage | undefined {
    return this.data;
  }

  /** Shows exactly these series (keys `<run uri>#<step>`) on this split, as the webview's controls would. */
  async show(view: LengthBiasViewState): Promise<void> {
    this.view = view;
    await this.refresh();
  }

  override async exportData(what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const data = this.data ?? (await this.load());
    const base = fileNamePart(this.runs.length === 1 ? (data.runs[0]?.name ?? 'run') : `${this.runs.length}-runs`);
    const table = what === 'points' ? pointsTable(base, data.series) : what === 'lengths' ? lengthsTable(base, data.lengths) : fitsTable(base, data.series);
    return exportTable(table, format, this.runs[0], target);
  }

  protected override handle(message: LengthBiasWebviewMessage): void {
    if (message.type === 'view') this.view = message.view;
  }

  private async load(): Promise<LengthBiasDataMessage> {
    const settings = await Promise.all(this.runs.map(readRunSettings));
    const perRun = await Promise.all(settings.map(runSeries));
    const series = perRun.flatMap((r) => r.series);
    const notes: string[] = [];
    for (const [i, r] of perRun.entries()) if (r.series.length === 0) notes.push(`${settings[i].header.name}: no evaluation samples yet.`);
    if (series.some((s) => s.step === 0)) notes.push('Step 0 is the model before training: its implicit reward is 0 by definition.');
    return {
      type: 'data',
      runs: settings.map((s) => s.header),
      series,
      lengths: perRun.map((r) => r.lengths),
      view: this.view,
      notes,
    };
  }

  protected override async send(): Promise<void> {
    this.data = await this.load();
    await this.host.post({ ...this.data, view: this.view });
  }
}

function pointsTable(base: string, series: readonly LengthBiasSeries[]): ExportTable {
  function* rows(): Generator<Cell[]> {
    for (const s of series) for (let i = 0; i < s.x.length; i++) yield [s.runName, s.step, s.split[i] === 0 ? 'selection' : 'reporting', s.x[i], s.y[i]];
  }
  return { name: `${base}-length-bias-points`, columns: ['run', 'step', 'split', 'length_z', 'implicit_reward'], rows: rows() };
}

function fitsTable(base: string, series: readonly LengthBiasSeries[]): ExportTable {
  const rows: Cell[][] = [];
  for (const s of series) {
    for (const split of SPLIT_CHOICES) {
      const fit = s.fits[split];
      if (fit) rows.push([s.runName, s.lossType ?? null, s.step, split, fit.slope, fit.intercept, fit.r2, fit.spearman, fit.samples]);
    }
  }
  return { name: `${base}-length-bias-fits`, columns: ['run', 'loss_type', 'step', 'split', 'slope', 'intercept', 'r2', 'spearman', 'samples'], rows };
}

function lengthsTable(base: string, lengths: readonly LengthOverSteps[]): ExportTable {
  const rows: Cell[][] = [];
  for (const l of lengths) for (let i = 0; i < l.steps.length; i++) rows.push([l.runName, l.steps[i], l.meanLength[i], l.meanRefLength]);
  return { name: `${base}-generation-length`, columns: ['run', 'step', 'mean_length', 'mean_ref_length'], rows };
}
