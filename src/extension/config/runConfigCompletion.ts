// Completion for *.qrpo.yaml from the run config schema: field names (with type, default and description) where a
// key goes, and enum values, booleans or the default where a value goes. VS Code has no built-in YAML schema
// support; JSON configs get the same from package.json's jsonValidation.
import * as vscode from 'vscode';
import { describeType, type RunConfigSchema, type SchemaProperty } from './runConfigSchema';
import { keyOnLine, yamlPositionAt } from './yamlKeyPath';

export class RunConfigCompletionProvider implements vscode.CompletionItemProvider {
  constructor(private readonly schema: RunConfigSchema) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    const lines = document.getText().split(/\r?\n/);
    const before = lines[position.line].slice(0, position.character);
    if (/^\s*#/.test(before)) return [];
    const keyPrefix = /^(\s*)([\w$-]*)$/.exec(before);
    if (keyPrefix) return this.keyItems(lines, position, keyPrefix[1].length);
    const valuePrefix = /^(\s*)([\w$-]+)\s*:\s*([^#]*)$/.exec(before);
    if (valuePrefix) {
      const { parents } = yamlPositionAt(lines, position.line, valuePrefix[1].length);
      const property = this.schema.property([...parents, valuePrefix[2]]);
      return property ? valueItems(property) : [];
    }
    return [];
  }

  private keyItems(lines: string[], position: vscode.Position, indent: number): vscode.CompletionItem[] {
    const { parents, siblings } = yamlPositionAt(lines, position.line, indent);
    const object = this.schema.objectAt(parents);
    if (!object?.properties) return [];
    const required = new Set(object.required ?? []);
    return Object.entries(object.properties)
      .filter(([key]) => key !== '$schema' && !siblings.has(key) && key !== keyOnLine(lines[position.line])?.key)
      .map(([key, property]) => {
        const item = new vscode.CompletionItem(key, property.properties ? vscode.CompletionItemKind.Module : vscode.CompletionItemKind.Property);
        item.detail = describeType(property);
        item.documentation = new vscode.MarkdownString(property.description ?? '');
        // Required fields first, then the schema's order (which groups related fields), not the alphabet.
        item.sortText = `${required.has(key) ? '0' : '1'}${String(Object.keys(object.properties!).indexOf(key)).padStart(3, '0')}`;
        const childIndent = ' '.repeat(indent + 2);
        item.insertText = property.properties ? new vscode.SnippetString(`${key}:\n${childIndent}$0`) : new vscode.SnippetString(`${key}: ${defaultSnippet(property)}`);
        if (property.properties || property.enum) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };
        return item;
      });
  }
}

function valueItems(property: SchemaProperty): vscode.CompletionItem[] {
  const values = property.enum ?? (typesOf(property).includes('boolean') ? [true, false] : property.default !== undefined ? [property.default] : []);
  return values.map((value, index) => {
    const item = new vscode.CompletionItem(String(value), vscode.CompletionItemKind.EnumMember);
    if (value === property.default) item.detail = 'default';
    item.sortText = String(index).padStart(3, '0');
    return item;
  });
}

function defaultSnippet(property: SchemaProperty): string {
  if (property.enum) return `\${1|${property.enum.map(String).join(',')}|}`;
  if (property.default !== undefined && property.default !== null) return `\${1:${String(property.default)}}`;
  return '$1';
}

function typesOf(property: SchemaProperty): readonly string[] {
  return Array.isArray(property.type) ? property.type : property.type ? [property.type as string] : [];
}
