// One run Quantile Rewards panel: the dataset's, the reference samples' (leave-one-out) and each checkpoint's
// quantile histograms of a run, with the target curve. The prepared-file panel (quantileRewardsPanel.ts) stays for
// files outside runs; this one follows a run folder and reloads when a stage or an evaluation finishes.
import * as vscode from 'vscode';
import { exportTable, fileNamePart, type Cell, type ExportTable } from '../results/dataExport';
import { ResultsPanel, type OpenLinkedPanel } from '../results/resultsPanel';
import { readRunSettings } from '../results/runResultsFolder';
import { readRunQuantiles } from './runQuantilesData';
import { asRunQuantilesMessage } from './runQuantilesGuard';
import type { RunQuantilesDataMessage, RunQuantilesHostMessage, RunQuantilesViewState, RunQuantilesWebviewMessage } from './runQuantilesProtocol';

export class RunQuantileRewardsPanel extends ResultsPanel<RunQuantilesWebviewMessage, RunQuantilesHostMessage> {
  private view: RunQuantilesViewState;
  private data: RunQuantilesDataMessage | undefined;

  constructor(
    webviewPanel: vscode.WebviewPanel,
    readonly run: vscode.Uri,
    extensionUri: vscode.Uri,
    openLinked: OpenLinkedPanel,
    view?: RunQuantilesViewState,
  ) {
    super({
      webviewPanel,
      extensionUri,
      app: 'runQuantileRewards',
      runs: [run],
      title: `Quantile Rewards: ${run.path.split('/').filter(Boolean).pop()}`,
      parse: asRunQuantilesMessage,
      reloadOn: '{evals/*/summary.json,stages/quantiles/*.summary.json,stages/reward_scoring/summary.json}',
      openLinked,
    });
    this.view = view ?? {};
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
    await this.refresh();
  }

  override async exportData(_what: string, format: 'csv' | 'json', target?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const data = this.data ?? (await this.load());
    return exportTable(quantilesTable(fileNamePart(data.header.name), data), format, this.run, target);
  }

  protected override handle(message: RunQuantilesWebviewMessage): void {
    if (message.type === 'selectStep') this.view = { step: message.step };
  }

  private async load(): Promise<RunQuantilesDataMessage> {
    const settings = await readRunSettings(this.run);
    return { type: 'data', ...(await readRunQuantiles(this.run, settings)), view: this.view };
  }

  protected override async send(): Promise<void> {
    this.data = await this.load();
    await this.host.post(this.data);
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
