// Hover documentation for the fields of *.qrpo.yaml: the schema's description, type, allowed values and default.
import * as vscode from 'vscode';
import { describeType, type RunConfigSchema } from './runConfigSchema';
import { keyOnLine, yamlPositionAt } from './yamlKeyPath';

export class RunConfigHoverProvider implements vscode.HoverProvider {
  constructor(private readonly schema: RunConfigSchema) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = document.lineAt(position.line).text;
    const key = keyOnLine(line);
    if (!key || position.character < key.start || position.character > key.start + key.key.length) return undefined;
    const { parents } = yamlPositionAt(document.getText().split(/\r?\n/), position.line, key.start);
    const path = [...parents, key.key];
    const property = this.schema.property(path);
    if (!property) return undefined;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${path.join('.')}** · \`${describeType(property)}\`\n\n`);
    md.appendMarkdown(property.description ?? '');
    return new vscode.Hover(md, new vscode.Range(position.line, key.start, position.line, key.start + key.key.length));
  }
}
