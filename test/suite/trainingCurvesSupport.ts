// Waiting on curves panels in the suites: renders that satisfy a condition, the panel registries from the API,
// and checks that exported files are what they claim to be.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CurvesPanel, CurvesRender } from '../../src/extension/panels/trainingCurves/curvesPanel';
import type { CurvesPanels } from '../../src/extension/panels/trainingCurves/curvesPanels';
import { activatedApi, delay, takeScreenshot, waitFor } from './support/extension';

/** Resolves with the first render (already shown or still to come) that satisfies `condition`. */
export function renderWhere(panel: CurvesPanel, what: string, condition: (render: CurvesRender) => boolean, timeoutMs = 30_000): Promise<CurvesRender> {
  const current = panel.lastRendered;
  if (current && condition(current)) return Promise.resolve(current);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for a render with ${what} (last: ${JSON.stringify(panel.lastRendered ? { ...panel.lastRendered, rows: undefined } : undefined)})`));
    }, timeoutMs);
    const subscription = panel.onDidRender((render) => {
      if (!condition(render)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(render);
    });
  });
}

/** The next render after now that satisfies `condition` (ignores the one already on screen). */
export function nextRenderWhere(panel: CurvesPanel, what: string, condition: (render: CurvesRender) => boolean, timeoutMs = 30_000): Promise<CurvesRender> {
  const before = panel.lastRendered;
  return renderWhere(panel, what, (render) => render !== before && condition(render), timeoutMs);
}

export async function curvesRegistry(key: 'trainingCurvesPanels' | 'compareRunsPanels'): Promise<CurvesPanels> {
  const api = (await activatedApi()) as unknown as Record<string, CurvesPanels | undefined>;
  const registry = api[key];
  assert.ok(registry, `the extension API exposes ${key}`);
  return registry;
}

export async function hideAndShow(panel: CurvesPanel, other: vscode.Uri): Promise<void> {
  await vscode.window.showTextDocument(other, { viewColumn: panel.webviewPanel.viewColumn, preview: false });
  await waitFor('the panel to be hidden', () => !panel.webviewPanel.visible);
  panel.webviewPanel.reveal();
  await waitFor('the panel to be visible again', () => panel.webviewPanel.visible);
}

export const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Well-formed XML as far as an SVG export needs: one root <svg>, every element closed in order. */
export function assertWellFormedSvg(text: string): void {
  assert.match(text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<svg /);
  const stack: string[] = [];
  const body = text.replace(/^<\?xml[^>]*\?>/, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the element that is open`);
    else stack.push(name);
  }
  assert.deepEqual(stack, [], 'every element is closed');
  assert.doesNotMatch(body.replace(/&(amp|lt|gt|quot|#\d+);/g, ''), /&/, 'no unescaped ampersand');
}

/** Takes a screenshot with the side bar closed, so the panel fills the window; the side bar comes back after. */
export async function panelScreenshot(name: string): Promise<string> {
  await vscode.commands.executeCommand('workbench.action.closeSidebar');
  try {
    await delay(400); // the webview re-lays out its charts at the new width
    return await takeScreenshot(name);
  } finally {
    await vscode.commands.executeCommand('workbench.view.explorer');
  }
}
