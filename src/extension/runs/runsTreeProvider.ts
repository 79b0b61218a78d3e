// The Runs view: a projection of RunsModel, one item per run folder. Later stages and checkpoints become children;
// node objects are cached per folder so `reveal` and `getParent` see the same identities the tree was given.
import * as vscode from 'vscode';
import { describeRunStatus, RunSummary } from './runFolder';
import { RunsModel } from './runsModel';

export interface RunTreeNode {
  readonly kind: 'run';
  readonly run: RunSummary;
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private nodes = new Map<string, RunTreeNode>();

  constructor(private readonly model: RunsModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(element?: RunTreeNode): Promise<RunTreeNode[]> {
    if (element) return [];
    const runs = await this.model.runs();
    // An empty array (not a placeholder item) lets the view show its welcome content.
    this.nodes = new Map(runs.map((run) => [run.folder.toString(), { kind: 'run', run }]));
    return [...this.nodes.values()];
  }

  getParent(): RunTreeNode | undefined {
    return undefined;
  }

  getTreeItem(node: RunTreeNode): vscode.TreeItem {
    const { run } = node;
    const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.None);
    item.id = run.folder.toString();
    item.resourceUri = run.folder;
    item.description = describeRunStatus(run);
    item.tooltip = run.folder.fsPath;
    item.iconPath = iconForState(run.state);
    item.contextValue = 'qrpo.run';
    item.command = { command: 'vscode.open', title: 'Open run.json', arguments: [vscode.Uri.joinPath(run.folder, 'run.json')] };
    return item;
  }

  /** The node currently shown for a run folder, for `TreeView.reveal`. */
  nodeFor(folder: vscode.Uri): RunTreeNode | undefined {
    return this.nodes.get(folder.toString());
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function iconForState(state: string | undefined): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'done':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}
