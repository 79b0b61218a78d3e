// The Dataset Preview custom editor (priority "option": the text editor stays the default for .jsonl/.json/.csv,
// and "Open With… → QRPO Dataset Preview" or "QRPO: Preview Dataset" opens this one; Parquet has no text editor,
// so the preview is what a double-click there should reach). Read-only: the document is just the file's URI.
import * as vscode from 'vscode';
import { DatasetPreview } from './datasetPreview';

export const DATASET_PREVIEW_VIEW_TYPE = 'qrpo.datasetPreview';

export class DatasetPreviewEditorProvider implements vscode.CustomReadonlyEditorProvider, vscode.Disposable {
  private readonly previews = new Set<DatasetPreview>();
  private readonly opened = new vscode.EventEmitter<DatasetPreview>();
  readonly onDidOpen = this.opened.event;
  private readonly registration: vscode.Disposable;

  constructor(private readonly extensionUri: vscode.Uri) {
    this.registration = vscode.window.registerCustomEditorProvider(DATASET_PREVIEW_VIEW_TYPE, this, { supportsMultipleEditorsPerDocument: true });
  }

  /** Open previews of `file` (several editor groups may show it). */
  previewsOf(file: vscode.Uri): DatasetPreview[] {
    return [...this.previews].filter((p) => p.file.toString() === file.toString());
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): void {
    const preview = new DatasetPreview(document.uri, webviewPanel, this.extensionUri);
    this.previews.add(preview);
    preview.onDidDispose(() => this.previews.delete(preview));
    this.opened.fire(preview);
  }

  dispose(): void {
    for (const preview of this.previews) preview.dispose();
    this.registration.dispose();
    this.opened.dispose();
  }
}
