// Editor support for run configs: completion and hovers in *.qrpo.yaml (JSON configs get both from the schema that
// package.json's jsonValidation registers), and the Start Run CodeLens on both.
import * as vscode from 'vscode';
import { RunConfigCompletionProvider } from './runConfigCompletion';
import { RunConfigHoverProvider } from './runConfigHover';
import { RunConfigSchema } from './runConfigSchema';
import { StartRunCodeLensProvider } from './startRunCodeLens';

export const yamlConfigSelector: vscode.DocumentSelector = [{ pattern: '**/*.qrpo.{yaml,yml}' }];
export const anyConfigSelector: vscode.DocumentSelector = [{ pattern: '**/*.qrpo.{yaml,yml,json}' }];

export function registerRunConfigEditor(extensionPath: string): vscode.Disposable {
  const schema = RunConfigSchema.fromExtension(extensionPath);
  const codeLens = new StartRunCodeLensProvider();
  return vscode.Disposable.from(
    vscode.languages.registerCompletionItemProvider(yamlConfigSelector, new RunConfigCompletionProvider(schema), ':'),
    vscode.languages.registerHoverProvider(yamlConfigSelector, new RunConfigHoverProvider(schema)),
    vscode.languages.registerCodeLensProvider(anyConfigSelector, codeLens),
    codeLens,
  );
}
