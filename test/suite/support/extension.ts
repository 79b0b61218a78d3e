// What every suite test needs: the activated extension's API, the fixture workspace, waiting for a condition,
// and page screenshots through the launcher.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { QrpoExtensionApi } from '../../../src/extension/api';

export const extensionId = 'qrpo-lab.qrpo-lab';

export async function activatedApi(): Promise<QrpoExtensionApi> {
  const extension = vscode.extensions.getExtension<QrpoExtensionApi>(extensionId);
  if (!extension) throw new Error(`extension ${extensionId} is not loaded`);
  return extension.activate();
}

export function extensionPath(): string {
  const extension = vscode.extensions.getExtension(extensionId);
  if (!extension) throw new Error(`extension ${extensionId} is not loaded`);
  return extension.extensionPath;
}

export function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** Polls until `condition` returns a value other than undefined/false; fails with `what` on timeout. */
export async function waitFor<T>(what: string, condition: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(100);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks the launcher for a page screenshot and waits until test-results/screenshots/<name>.png exists (the
 * launcher writes it by rename, so existing means complete). Returns its path.
 */
export async function takeScreenshot(name: string): Promise<string> {
  const file = join(extensionPath(), 'test-results', 'screenshots', `${name}.png`);
  const before = existsSync(file) ? statSync(file).mtimeMs : -1;
  console.log(`[qrpo-screenshot] ${name}`);
  await waitFor(`screenshot ${name}`, () => existsSync(file) && statSync(file).mtimeMs !== before, 30_000);
  return file;
}
