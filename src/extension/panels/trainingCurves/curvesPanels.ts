// The open panels of one curves kind (Training Curves or Compare Runs), keyed by their set of runs, and the
// serializer that brings them back after a reload from the state the webview saved (run ids and the view).
import * as vscode from 'vscode';
import type { RunMetricsStore } from '../shared/liveRunMetrics';
import { CurvesPanel, type CurvesPanelKind } from './curvesPanel';
import type { CurvesViewState } from './protocol';
import { asCurvesPanelState } from './webviewMessageGuard';

export class CurvesPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, CurvesPanel>();
  private readonly opened = new vscode.EventEmitter<CurvesPanel>();
  readonly onDidOpen = this.opened.event;
  private readonly registration: vscode.Disposable;

  constructor(
    readonly kind: CurvesPanelKind,
    private readonly store: RunMetricsStore,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(kind.viewType, this);
  }

  /** Opens a panel on these runs, or reveals the one already showing exactly them (applying `view`). */
  open(folders: readonly vscode.Uri[], view?: Partial<CurvesViewState>): CurvesPanel {
    const existing = this.panels.get(keyOf(folders));
    if (existing) {
      existing.webviewPanel.reveal();
      if (view) existing.setView(view);
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(this.kind.viewType, this.kind.viewType, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, { enableScripts: true });
    return this.track(new CurvesPanel(webviewPanel, folders, view ?? {}, this.kind, this.store, this.extensionUri));
  }

  panelFor(folders: readonly vscode.Uri[]): CurvesPanel | undefined {
    return this.panels.get(keyOf(folders));
  }

  all(): CurvesPanel[] {
    return [...this.panels.values()];
  }

  async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const restored = asCurvesPanelState(state);
    if (!restored) {
      webviewPanel.dispose();
      return;
    }
    const folders = restored.runs.map((run) => vscode.Uri.parse(run));
    this.track(new CurvesPanel(webviewPanel, folders, restored.view ?? {}, this.kind, this.store, this.extensionUri));
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.registration.dispose();
    this.opened.dispose();
  }

  private track(panel: CurvesPanel): CurvesPanel {
    const key = keyOf(panel.runs.map((run) => run.folder));
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    this.opened.fire(panel);
    return panel;
  }
}

function keyOf(folders: readonly vscode.Uri[]): string {
  return folders.map((f) => f.toString()).sort().join('\n');
}
