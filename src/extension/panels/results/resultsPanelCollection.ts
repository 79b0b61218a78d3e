// The open panels of one results kind (Evaluation, Length Bias, run Quantile Rewards), one per run or set of runs:
// opening what is already open reveals it, and after a window reload the serializer rebuilds each panel from the
// state its webview saved (the run folders and what it showed). A kind says how to key, restore and create panels.
import * as vscode from 'vscode';
import { PanelRegistry, type RegisteredPanel } from './panelRegistry';

export interface ResultsPanelKind<Panel, Target, State> {
  readonly viewType: string;
  /** The tab's title until the panel has read its runs. */
  readonly title: string;
  keyOf(target: Target): string;
  /** Validates the state a webview saved; undefined closes a panel that cannot be restored. */
  parseState(state: unknown): State | undefined;
  targetOf(state: State): Target;
  create(webviewPanel: vscode.WebviewPanel, target: Target, restored?: State): Panel;
}

/** A kind with one panel per run folder, restored from a state that names the run. */
export function onePanelPerRun<Panel, State extends { readonly run: string }>(
  kind: Omit<ResultsPanelKind<Panel, vscode.Uri, State>, 'keyOf' | 'targetOf'>,
): ResultsPanelKind<Panel, vscode.Uri, State> {
  return { ...kind, keyOf: (run) => run.toString(), targetOf: (state) => vscode.Uri.parse(state.run) };
}

export class ResultsPanelCollection<Panel extends RegisteredPanel & { reveal(): void }, Target, State> implements vscode.Disposable, vscode.WebviewPanelSerializer {
  readonly registry = new PanelRegistry<Panel>();
  private readonly registration: vscode.Disposable;

  constructor(private readonly kind: ResultsPanelKind<Panel, Target, State>) {
    this.registration = vscode.window.registerWebviewPanelSerializer(kind.viewType, this);
  }

  open(target: Target): Panel {
    const key = this.kind.keyOf(target);
    const existing = this.registry.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(this.kind.viewType, this.kind.title, vscode.ViewColumn.Active, { enableScripts: true });
    return this.registry.add(key, this.kind.create(webviewPanel, target));
  }

  panelFor(target: Target): Panel | undefined {
    return this.registry.get(this.kind.keyOf(target));
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = this.kind.parseState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    const target = this.kind.targetOf(restored);
    this.registry.add(this.kind.keyOf(target), this.kind.create(webviewPanel, target, restored));
  }

  dispose(): void {
    this.registry.dispose();
    this.registration.dispose();
  }
}
