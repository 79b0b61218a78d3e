// The open panels of one kind, keyed (by run folder, or by a set of runs), so that opening a panel that is already
// open reveals it instead of stacking a duplicate. Panels leave the registry when they are disposed.
import * as vscode from 'vscode';

export interface RegisteredPanel extends vscode.Disposable {
  readonly onDidDispose: vscode.Event<void>;
}

export class PanelRegistry<Panel extends RegisteredPanel> implements vscode.Disposable {
  private readonly panels = new Map<string, Panel>();
  private readonly opened = new vscode.EventEmitter<Panel>();
  readonly onDidOpen = this.opened.event;

  get(key: string): Panel | undefined {
    return this.panels.get(key);
  }

  all(): Panel[] {
    return [...this.panels.values()];
  }

  add(key: string, panel: Panel): Panel {
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    this.opened.fire(panel);
    return panel;
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.panels.clear();
    this.opened.dispose();
  }
}
