// Writes a chart export the webview produced (PNG as base64, SVG/CSV/JSON as text) where the person chooses, or
// where the caller says (tests and scripted exports pass a destination and skip the dialog).
import * as vscode from 'vscode';

export interface ChartExportPayload {
  readonly format: 'png' | 'svg' | 'csv' | 'json';
  readonly fileName: string;
  readonly encoding: 'base64' | 'utf8';
  readonly content: string;
}

const filters: Record<ChartExportPayload['format'], Record<string, string[]>> = {
  png: { 'PNG image': ['png'] },
  svg: { 'SVG image': ['svg'] },
  csv: { 'CSV table': ['csv'] },
  json: { JSON: ['json'] },
};

/** Resolves to the written file, or undefined when the person cancelled the dialog. */
export async function saveChartExport(payload: ChartExportPayload, destination?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const target =
    destination ??
    (await vscode.window.showSaveDialog({
      title: `Export ${payload.fileName}`,
      defaultUri: defaultLocation(payload.fileName),
      filters: filters[payload.format],
    }));
  if (!target) return undefined;
  const bytes = payload.encoding === 'base64' ? Buffer.from(payload.content, 'base64') : new TextEncoder().encode(payload.content);
  await vscode.workspace.fs.writeFile(target, bytes);
  return target;
}

function defaultLocation(fileName: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder ? vscode.Uri.joinPath(folder, safeFileName(fileName)) : undefined;
}

/** Metric names hold slashes (rewards/margins); a file name may not. */
export function safeFileName(name: string): string {
  return name.replace(/[/\\:*?"<>|]+/g, '-');
}
