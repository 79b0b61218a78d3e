// What the open webviews show, read by the launcher (Playwright) inside each webview frame when a suite test asks:
// the test logs `[qrpo-webview-facts] <file>`, the launcher writes the facts of every QRPO webview it finds there as
// JSON (by rename, so existing means complete) and the test polls for the file. A test can so check the text a
// panel put on screen and that its charts painted, not only what the host sent. Shared by both sides.
import { renameSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

export const webviewFactsMarker = '[qrpo-webview-facts]';
const webviewFactsPattern = /\[qrpo-webview-facts\] (\S+)/;

export interface WebviewFacts {
  /** The app webview/main.ts mounted (the shell's data-app). */
  readonly app: string;
  /** The colour theme kind the webview host set on the body (vscode-dark, vscode-light, …). */
  readonly themeKind: string;
  /** The rendered text of the page, white space folded. */
  readonly text: string;
  /** Each visible canvas: its size and how many of its pixels are painted (not fully transparent). */
  readonly canvases: readonly { readonly width: number; readonly height: number; readonly paintedPixels: number }[];
}

/** Runs in a webview frame: undefined for frames that are not a QRPO panel (the workbench, the webview host). */
export function collectWebviewFacts(): WebviewFacts | undefined {
  const app = document.body?.dataset.app;
  if (!app) return undefined;
  const canvases = [...document.querySelectorAll('canvas')]
    .filter((canvas) => canvas.width > 0 && canvas.height > 0 && canvas.offsetParent !== null)
    .map((canvas) => {
      const pixels = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      let paintedPixels = 0;
      if (pixels) for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) paintedPixels++;
      return { width: canvas.width, height: canvas.height, paintedPixels };
    });
  return { app, themeKind: document.body.dataset.vscodeThemeKind ?? '', text: document.body.innerText.replace(/\s+/g, ' ').trim(), canvases };
}

/** Answers a request found in a log line; returns whether the line was one. */
export function answerWebviewFacts(page: Page, line: string): boolean {
  const file = webviewFactsPattern.exec(line)?.[1];
  if (!file) return false;
  void (async () => {
    const found: WebviewFacts[] = [];
    for (const frame of page.frames()) {
      const facts = await frame.evaluate(collectWebviewFacts).catch(() => undefined);
      if (facts) found.push(facts);
    }
    writeFileSync(`${file}.partial`, JSON.stringify(found));
    renameSync(`${file}.partial`, file);
  })().catch((error: unknown) => console.error(`integration: could not read the webviews for ${file}: ${String(error)}`));
  return true;
}
