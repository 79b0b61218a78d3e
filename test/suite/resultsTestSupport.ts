// What the results panels' suites share: the registries from the API, waiting for a part of a panel to be drawn,
// screenshots in the dark and the light theme, and the CSP check after late violations had time to arrive.
import * as assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ResultsPanels } from '../../src/extension/panels/results/registerResultsPanels';
import { activatedApi, delay, takeScreenshot, waitFor } from './support/extension';

export async function resultsPanels(): Promise<ResultsPanels> {
  const api = (await activatedApi()) as unknown as { resultsPanels?: ResultsPanels };
  assert.ok(api.resultsPanels, 'the extension API exposes resultsPanels');
  return api.resultsPanels;
}

/** What the suites need of a panel's PanelHost. */
interface AnyHost {
  rendered(what: string): number | undefined;
  nextRender(what: string): Promise<number>;
  readonly cspViolationCount: number;
}

/** The count of the part's current render, waiting for one if it has not been drawn yet. */
export function rendered(host: AnyHost, what: string, timeoutMs = 30_000): Promise<number> {
  return waitFor(`${what} to be drawn`, () => host.rendered(what), timeoutMs);
}

/** Runs `change` and resolves with the count of the first render of `what` after it. */
export async function renderAfter(host: AnyHost, what: string, change: () => unknown, timeoutMs = 30_000): Promise<number> {
  const next = host.nextRender(what);
  await change();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} to be drawn again`)), timeoutMs)));
  try {
    return await Promise.race([next, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function assertNoCspViolations(host: AnyHost): Promise<void> {
  await delay(500); // late violations (fonts, lazily styled components) arrive after the first paint
  assert.equal(host.cspViolationCount, 0, 'CSP violations (see the QRPO log)');
}

/**
 * `<name>-dark.png`, then the same in Light Modern once `part` has been drawn again for the new theme (panels that
 * redraw on a theme change) or after a pause (those that only restyle through CSS variables).
 */
export async function screenshotsInBothThemes(name: string, host: AnyHost): Promise<void> {
  const dark = await takeScreenshot(`${name}-dark`);
  assert.ok(statSync(dark).size > 10_000, `${dark} looks empty`);
  const config = vscode.workspace.getConfiguration('workbench');
  await config.update('colorTheme', 'Light Modern', vscode.ConfigurationTarget.Global);
  try {
    await delay(1_200);
    const light = await takeScreenshot(`${name}-light`);
    assert.ok(statSync(light).size > 10_000, `${light} looks empty`);
    assert.equal(host.cspViolationCount, 0, 'no CSP violations after the theme change');
  } finally {
    await config.update('colorTheme', 'Dark Modern', vscode.ConfigurationTarget.Global);
    await delay(300);
  }
}
