// "QRPO Run Results", a read-only custom editor for a run folder's run.json and metrics.jsonl that shows the run's
// Evaluation panel (which links to its quantile, length-bias and training-curve panels). Declared with priority
// "option": run.json is a common file name outside QRPO too, and a QRPO run.json is the resolved config people read
// and diff, so the text editor stays the default; "Open With…", the editor title's "Open Results" button, or a
// workbench.editorAssociations entry reach this one. VS Code restores custom editors itself (no serializer).
import * as vscode from 'vscode';
import { EvaluationPanel } from '../evaluation/evaluationPanel';
import type { OpenLinkedPanel } from './resultsPanel';

export const RUN_RESULTS_EDITOR_VIEW_TYPE = 'qrpo.runResults';

export class RunResultsEditorProvider implements vscode.CustomReadonlyEditorProvider, vscode.Disposable {
  private readonly editors = new Set<EvaluationPanel>();
  private readonly opened = new vscode.EventEmitter<EvaluationPanel>();
  readonly onDidOpen = this.opened.event;
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly openLinked: OpenLinkedPanel,
  ) {
    this.registration = vscode.window.registerCustomEditorProvider(RUN_RESULTS_EDITOR_VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true });
  }

  /** Open editors showing the run of `folder`. */
  editorsOf(folder: vscode.Uri): EvaluationPanel[] {
    return [...this.editors].filter((e) => e.run.toString() === folder.toString());
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): void {
    const run = vscode.Uri.joinPath(document.uri, '..');
    const editor = new EvaluationPanel(webviewPanel, run, this.extensionUri, this.openLinked, undefined, false);
    this.editors.add(editor);
    editor.onDidDispose(() => this.editors.delete(editor));
    this.opened.fire(editor);
  }

  dispose(): void {
    for (const editor of this.editors) editor.dispose();
    this.registration.dispose();
    this.opened.dispose();
  }
}
