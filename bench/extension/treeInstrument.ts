// Times the calls VS Code makes to the Runs view's data provider: the provider object the TreeView was created
// with is the extension's own, and VS Code looks its methods up at each call, so wrapping them on the instance
// records what the view really asked for and how long our code took to answer.
import { performance } from 'node:perf_hooks';
import type { RunsTreeProvider, RunTreeNode } from '../../src/extension/runs/runsTreeProvider';

export interface ProviderCall {
  readonly method: 'getChildren' | 'getTreeItem';
  /** The node's kind and run folder name, or 'root'. */
  readonly node: string;
  readonly start: number;
  readonly end: number;
  /** getChildren: how many children it returned. */
  readonly items?: number;
}

export class TreeInstrument {
  readonly calls: ProviderCall[] = [];

  constructor(tree: RunsTreeProvider) {
    const getChildren = tree.getChildren.bind(tree);
    const getTreeItem = tree.getTreeItem.bind(tree);
    tree.getChildren = async (node?: RunTreeNode) => {
      const start = performance.now();
      const children = await getChildren(node);
      this.calls.push({ method: 'getChildren', node: describe(node), start, end: performance.now(), items: children.length });
      return children;
    };
    tree.getTreeItem = async (node: RunTreeNode) => {
      const start = performance.now();
      const item = await getTreeItem(node);
      this.calls.push({ method: 'getTreeItem', node: describe(node), start, end: performance.now() });
      return item;
    };
  }

  /** The first getChildren call for `node` that started at or after `since` and has finished. */
  finishedAfter(since: number, node: string): ProviderCall | undefined {
    return this.calls.find((call) => call.method === 'getChildren' && call.node === node && call.start >= since);
  }

  countSince(since: number, method: ProviderCall['method']): number {
    return this.calls.filter((call) => call.method === method && call.start >= since).length;
  }
}

function describe(node: RunTreeNode | undefined): string {
  if (!node) return 'root';
  return `${node.kind}:${node.runUri.path.split('/').pop()}`;
}
