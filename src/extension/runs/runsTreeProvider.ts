// The Runs view: a projection of RunsModel. Runs → their stages (state and progress) and a "Checkpoints" group →
// checkpoint-<step> (and the start model, step 0, when evaluated) → its evaluation. A change in one run refreshes
// that run's node only; checkpoints and evaluations are read when a run is first expanded.
import * as vscode from 'vscode';
import { CommandId } from '../contributionIds';
import { describeEvaluation, describeRun, describeStage, runIcon, runTooltip, stageIcon, stageLabel } from './runDisplay';
import type { RunDetails } from './runDetails';
import type { RunsChange, RunsModel } from './runsModel';
import { RunsTreeNodes, type RunTreeNode } from './runsTreeNodes';

export type { RunTreeNode } from './runsTreeNodes';

/** contextValue of each node, matched by `viewItem` in package.json menus. */
export const RunContext = {
  run: (state: string) => `run-${state}`,
  stage: 'stage',
  checkpoints: 'checkpoints',
  checkpoint: 'checkpoint',
  startModel: 'checkpoint-start',
  evaluation: 'evaluation',
} as const;

export class RunsTreeProvider implements vscode.TreeDataProvider<RunTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunTreeNode | RunTreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  readonly nodes = new RunsTreeNodes();

  constructor(private readonly model: RunsModel) {
    this.subscription = model.onDidChange((change) => this.onModelChange(change));
  }

  async getChildren(node?: RunTreeNode): Promise<RunTreeNode[]> {
    if (!node) {
      const runs = await this.model.runs();
      this.nodes.retainRuns(new Set(runs.map((run) => run.folder.toString())));
      // An empty array (not a placeholder item) lets the view show its welcome content.
      return runs.map((run) => this.nodes.run(run.folder));
    }
    switch (node.kind) {
      case 'run':
        return this.runChildren(node.runUri);
      case 'checkpoints':
        return checkpointSteps(await this.model.runDetails(node.runUri)).map((step) => this.nodes.checkpoint(node.runUri, step));
      case 'checkpoint': {
        const details = await this.model.runDetails(node.runUri);
        return details.evaluations.some((e) => e.step === node.step) ? [this.nodes.evaluation(node.runUri, node.step)] : [];
      }
      default:
        return [];
    }
  }

  getParent(node: RunTreeNode): RunTreeNode | undefined {
    return this.nodes.parentOf(node);
  }

  async getTreeItem(node: RunTreeNode): Promise<vscode.TreeItem> {
    switch (node.kind) {
      case 'run':
        return this.runItem(node.runUri);
      case 'stage':
        return this.stageItem(node.runUri, node.stage);
      case 'checkpoints': {
        const item = new vscode.TreeItem('Checkpoints', vscode.TreeItemCollapsibleState.Expanded);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon('history');
        item.contextValue = RunContext.checkpoints;
        return item;
      }
      case 'checkpoint':
        return this.checkpointItem(node.runUri, node.step, node.id, node.checkpointUri);
      case 'evaluation':
        return this.evaluationItem(node);
    }
  }

  async resolveTreeItem(item: vscode.TreeItem, node: RunTreeNode): Promise<vscode.TreeItem> {
    if (node.kind === 'run' && !item.tooltip) {
      const run = this.model.run(node.runUri);
      if (run) item.tooltip = runTooltip(run, await this.model.runConfig(node.runUri));
    }
    return item;
  }

  /** The run node of a run folder, for `TreeView.reveal`. */
  nodeFor(folder: vscode.Uri): RunTreeNode | undefined {
    return this.model.run(folder) ? this.nodes.run(folder) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private onModelChange(change: RunsChange): void {
    if (!change.runs) {
      this.changed.fire(undefined);
      return;
    }
    this.changed.fire(change.runs.map((run) => this.nodes.run(run.folder)));
  }

  private async runChildren(runUri: vscode.Uri): Promise<RunTreeNode[]> {
    const run = this.model.run(runUri);
    if (!run) return [];
    const firstLoad = this.model.loadedDetails(runUri) === undefined;
    const details = await this.model.runDetails(runUri);
    // The run's description shows its latest evaluation once the details are read: refresh it after the first read.
    if (firstLoad && details.evaluations.length) setTimeout(() => this.changed.fire(this.nodes.run(runUri)), 0);
    const children: RunTreeNode[] = run.stages.map((stage) => this.nodes.stage(runUri, stage.name));
    if (checkpointSteps(details).length) children.push(this.nodes.checkpoints(runUri));
    return children;
  }

  private async runItem(runUri: vscode.Uri): Promise<vscode.TreeItem> {
    const run = this.model.run(runUri);
    const item = new vscode.TreeItem(run?.name ?? runUri.path, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = runUri.toString();
    item.resourceUri = runUri;
    if (!run) return item;
    const details = await this.model.loadedDetails(runUri);
    item.description = describeRun(run, details?.evaluations.at(-1));
    item.iconPath = runIcon(run.state);
    item.contextValue = RunContext.run(run.state);
    return item;
  }

  private stageItem(runUri: vscode.Uri, name: string): vscode.TreeItem {
    const stage = this.model.run(runUri)?.stages.find((s) => s.name === name);
    const item = new vscode.TreeItem(stageLabel(name), vscode.TreeItemCollapsibleState.None);
    item.id = `${runUri.toString()}#stage/${name}`;
    item.contextValue = RunContext.stage;
    if (!stage) return item;
    item.description = describeStage(stage);
    item.iconPath = stageIcon(stage);
    item.tooltip = `${stageLabel(name)}: ${stage.skipped ? 'skipped, its output was already complete' : stage.state}`;
    return item;
  }

  private async checkpointItem(runUri: vscode.Uri, step: number, id: string, folder: vscode.Uri): Promise<vscode.TreeItem> {
    const details = await this.model.runDetails(runUri);
    const evaluated = details.evaluations.some((e) => e.step === step);
    const saved = details.checkpoints.includes(step);
    const item = new vscode.TreeItem(step === 0 ? 'start model' : `checkpoint-${step}`, evaluated ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = id;
    item.iconPath = new vscode.ThemeIcon(step === 0 ? 'debug-start' : 'package');
    item.description = step === 0 ? 'step 0' : saved ? (evaluated ? undefined : 'not evaluated') : 'removed';
    if (saved) item.resourceUri = folder;
    item.contextValue = step === 0 ? RunContext.startModel : RunContext.checkpoint;
    return item;
  }

  private async evaluationItem(node: Extract<RunTreeNode, { kind: 'evaluation' }>): Promise<vscode.TreeItem> {
    const details = await this.model.runDetails(node.runUri);
    const evaluation = details.evaluations.find((e) => e.step === node.step);
    const item = new vscode.TreeItem('evaluation', vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon('graph');
    item.description = evaluation ? describeEvaluation(evaluation) : undefined;
    item.tooltip = evaluation
      ? `Step ${node.step}: mean quantile ${evaluation.meanQuantile ?? '?'} against the reference, mean reward ${evaluation.meanReward ?? '?'}, KL (k3, per sequence) ${evaluation.klPerSequence ?? '?'}, mean length ${evaluation.meanLength ?? '?'}`
      : undefined;
    item.contextValue = RunContext.evaluation;
    item.command = { command: CommandId.openResults, title: 'Open Results', arguments: [node] };
    return item;
  }
}

/** Saved checkpoints and evaluated steps (step 0 included), ascending. */
function checkpointSteps(details: RunDetails): number[] {
  return [...new Set([...details.checkpoints, ...details.evaluations.map((e) => e.step)])].sort((a, b) => a - b);
}
