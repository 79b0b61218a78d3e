// The status bar item of active runs: the run this window started most recently (its stage and percentage from the
// engine's events), else a run the Runs view sees running (started from a terminal). Hidden when nothing runs.
// Clicking it shows the QRPO log, where the engine's output goes.
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';
import { describeJobProgress, type RunJobs } from '../launcher/runJobs';
import { stageLabel } from '../runs/runDisplay';
import type { RunsModel } from '../runs/runsModel';

export class RunStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('qrpo.activeRun', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly jobs: RunJobs,
    private readonly model: RunsModel,
  ) {
    this.item.name = 'QRPO Run';
    this.item.command = CommandId.showLog;
    this.subscriptions = [jobs.onDidChange(() => this.update()), model.onDidChange(() => this.update())];
    this.update();
  }

  update(): void {
    const job = this.jobs.active().at(-1);
    if (job) {
      const more = this.jobs.active().length - 1;
      this.item.text = `$(sync~spin) ${job.title}: ${job.stopRequested ? 'stopping…' : describeJobProgress(job.progress)}${more > 0 ? ` (+${more})` : ''}`;
      this.item.tooltip = `${job.title}, started by this window (pid ${job.pid ?? '?'}). Click for the QRPO log.`;
      this.item.show();
      return;
    }
    const running = this.model.knownRuns().filter((run) => run.state === 'running');
    const run = running[0];
    if (!run) {
      this.item.hide();
      return;
    }
    const stage = run.stages.find((s) => s.name === run.stage);
    const percent = stage?.total ? ` ${Math.floor((100 * stage.done) / stage.total)}%` : '';
    this.item.text = `$(sync~spin) QRPO ${run.name}: ${run.stage ? stageLabel(run.stage) : 'running'}${percent}${running.length > 1 ? ` (+${running.length - 1})` : ''}`;
    this.item.tooltip = `${run.name} is running (${run.folder.fsPath}). Click for the QRPO log.`;
    this.item.show();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions, this.item).dispose();
  }
}
