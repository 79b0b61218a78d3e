// Export of the data behind a panel as CSV or JSON. The host owns the data, so the host writes the file: the
// webview only asks. CSV follows RFC 4180 (quotes doubled, fields with commas, quotes or line breaks quoted), so
// pandas.read_csv and spreadsheets read it back unchanged; JSON is an array of objects keyed by column.
import * as vscode from 'vscode';
import type { ExportFormat } from './commonProtocol';

export type Cell = string | number | boolean | null | undefined;

export interface ExportTable {
  /** Used for the default file name, e.g. "beta-0.1-evaluation-summary". */
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: Iterable<readonly Cell[]>;
}

export function tableAsCsv(table: ExportTable): string {
  const lines = [table.columns.map(csvField).join(',')];
  for (const row of table.rows) lines.push(row.map(csvField).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function tableAsJson(table: ExportTable): string {
  const objects: Record<string, Cell>[] = [];
  for (const row of table.rows) objects.push(Object.fromEntries(table.columns.map((column, i) => [column, row[i] ?? null])));
  return `${JSON.stringify(objects, null, 2)}\n`;
}

function csvField(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  const text = typeof cell === 'number' && !Number.isFinite(cell) ? '' : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes the table to `target`, or to where the user picks in a save dialog (beside `near` by default).
 * Resolves to the written file, or undefined when the user cancelled.
 */
export async function exportTable(table: ExportTable, format: ExportFormat, near: vscode.Uri, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const file =
    target ??
    (await vscode.window.showSaveDialog({
      title: `Export ${table.name} as ${format.toUpperCase()}`,
      defaultUri: vscode.Uri.joinPath(near, `${table.name}.${format}`),
      filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    }));
  if (!file) return undefined;
  const text = format === 'csv' ? tableAsCsv(table) : tableAsJson(table);
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
  if (!target) void vscode.window.showInformationMessage(`Exported ${table.name} to ${vscode.workspace.asRelativePath(file)}.`);
  return file;
}

/** A file-name-safe form of a label. */
export function fileNamePart(label: string): string {
  return label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'export';
}
