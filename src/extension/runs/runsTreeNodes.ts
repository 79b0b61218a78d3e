// The nodes of the Runs tree. Every node carries `runUri` (its run folder), which is what QRPO commands accept as
// an argument from a context menu; checkpoint and evaluation nodes add their step. Nodes are plain data created
// once per id (RunsTreeNodes), so `reveal` and `getParent` see the identities the tree was given.
import type * as vscode from 'vscode';
import { checkpointUri, evalUri } from './runFiles';

export interface RunNode {
  readonly kind: 'run';
  readonly id: string;
  readonly runUri: vscode.Uri;
}

export interface StageNode {
  readonly kind: 'stage';
  readonly id: string;
  readonly runUri: vscode.Uri;
  readonly stage: string;
}

export interface CheckpointsNode {
  readonly kind: 'checkpoints';
  readonly id: string;
  readonly runUri: vscode.Uri;
}

/** A saved checkpoint, or step 0 (the start model) when it has an evaluation. */
export interface CheckpointNode {
  readonly kind: 'checkpoint';
  readonly id: string;
  readonly runUri: vscode.Uri;
  readonly step: number;
  readonly checkpointUri: vscode.Uri;
}

export interface EvaluationNode {
  readonly kind: 'evaluation';
  readonly id: string;
  readonly runUri: vscode.Uri;
  readonly step: number;
  readonly evalUri: vscode.Uri;
}

export type RunTreeNode = RunNode | StageNode | CheckpointsNode | CheckpointNode | EvaluationNode;

/** One node object per id for the life of the view. */
export class RunsTreeNodes {
  private readonly nodes = new Map<string, RunTreeNode>();

  run(runUri: vscode.Uri): RunNode {
    return this.intern({ kind: 'run', id: runUri.toString(), runUri });
  }

  stage(runUri: vscode.Uri, stage: string): StageNode {
    return this.intern({ kind: 'stage', id: `${runUri.toString()}#stage/${stage}`, runUri, stage });
  }

  checkpoints(runUri: vscode.Uri): CheckpointsNode {
    return this.intern({ kind: 'checkpoints', id: `${runUri.toString()}#checkpoints`, runUri });
  }

  checkpoint(runUri: vscode.Uri, step: number): CheckpointNode {
    return this.intern({ kind: 'checkpoint', id: `${runUri.toString()}#checkpoint/${step}`, runUri, step, checkpointUri: checkpointUri(runUri, step) });
  }

  evaluation(runUri: vscode.Uri, step: number): EvaluationNode {
    return this.intern({ kind: 'evaluation', id: `${runUri.toString()}#eval/${step}`, runUri, step, evalUri: evalUri(runUri, step) });
  }

  parentOf(node: RunTreeNode): RunTreeNode | undefined {
    switch (node.kind) {
      case 'run':
        return undefined;
      case 'stage':
      case 'checkpoints':
        return this.run(node.runUri);
      case 'checkpoint':
        return this.checkpoints(node.runUri);
      case 'evaluation':
        return this.checkpoint(node.runUri, node.step);
    }
  }

  /** Forgets nodes of runs that are gone. */
  retainRuns(keys: ReadonlySet<string>): void {
    for (const [id, node] of this.nodes) if (!keys.has(node.runUri.toString())) this.nodes.delete(id);
  }

  private intern<T extends RunTreeNode>(node: T): T {
    const existing = this.nodes.get(node.id);
    if (existing) return existing as T;
    this.nodes.set(node.id, node);
    return node;
  }
}
