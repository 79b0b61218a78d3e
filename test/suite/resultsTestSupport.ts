// What the results panels' suites share: the registries from the API, waiting for a part of a panel to be drawn,
// what a panel's webview shows on screen, screenshots in the dark and the light theme, and the CSP check after late
// violations had time to arrive.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ResultsPanels } from '../../src/extension/panels/results/registerResultsPanels';
import { webviewFactsMarker, type WebviewFacts } from '../integration/webviewFacts';
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
  return withTimeout(next, `${what} to be drawn again`, timeoutMs);
}

export async function assertNoCspViolations(host: AnyHost): Promise<void> {
  await delay(500); // late violations (fonts, lazily styled components) arrive after the first paint
  assert.equal(host.cspViolationCount, 0, 'CSP violations (see the QRPO log)');
}

let factsRequests = 0;

/** What every visible QRPO webview shows, read in its frame by the launcher (test/integration/webviewFacts.ts). */
async function visibleWebviews(): Promise<WebviewFacts[]> {
  const file = join(tmpdir(), `qrpo-webview-facts-${process.pid}-${++factsRequests}.json`);
  console.log(`${webviewFactsMarker} ${file}`);
  await waitFor('the launcher to read the webviews', () => existsSync(file), 30_000);
  const all = JSON.parse(readFileSync(file, 'utf8')) as WebviewFacts[];
  rmSync(file);
  return all;
}

/** What the visible `app` webview shows (its text and canvases), once its text includes `containing`. */
export async function webviewFacts(app: string, containing: string, timeoutMs = 15_000): Promise<WebviewFacts> {
  let visible: WebviewFacts[] = [];
  try {
    return await waitFor(`a visible ${app} webview showing “${containing}”`, async () => (visible = await visibleWebviews()).find((f) => f.app === app && f.text.includes(containing)), timeoutMs);
  } catch (error) {
    const shown = visible.map((f) => `${f.app}: ${f.text.slice(0, 120)}`).join(' | ') || 'none';
    throw new Error(`${error instanceof Error ? error.message : String(error)} (visible: ${shown})`);
  }
}

/**
 * `<name>-dark.png`, then the same in Light Modern once the webview has the light theme and, for a panel whose
 * charts redraw on a theme change, once each part named in `redrawn` has been drawn again for it.
 */
export async function screenshotsInBothThemes(name: string, host: AnyHost, redrawn: readonly string[] = []): Promise<void> {
  await useColourTheme('Dark Modern'); // an earlier suite may still be switching back
  const dark = await takeScreenshot(`${name}-dark`);
  assert.ok(statSync(dark).size > 10_000, `${dark} looks empty`);
  await switchTheme('Light Modern', host, redrawn);
  try {
    const light = await takeScreenshot(`${name}-light`);
    assert.ok(statSync(light).size > 10_000, `${light} looks empty`);
    assert.equal(host.cspViolationCount, 0, 'no CSP violations after the theme change');
  } finally {
    await switchTheme('Dark Modern', host, redrawn);
  }
}

async function switchTheme(theme: ColourTheme, host: AnyHost, redrawn: readonly string[]): Promise<void> {
  const redraws = Promise.all(redrawn.map((part) => host.nextRender(part)));
  await useColourTheme(theme);
  await withTimeout(redraws, `${redrawn.join(' and ')} drawn again in ${theme}`);
}

type ColourTheme = 'Light Modern' | 'Dark Modern';

/** Switches the workbench's colour theme and waits until every visible webview has been given it. */
export async function useColourTheme(theme: ColourTheme): Promise<void> {
  const kind = theme === 'Light Modern' ? 'vscode-light' : 'vscode-dark';
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  await waitFor(`the webviews to have the ${theme} theme`, async () => (await visibleWebviews()).every((w) => w.themeKind === kind), 20_000);
}

async function withTimeout<T>(promise: Promise<T>, what: string, timeoutMs = 30_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
