// What the workbench page shows, read with DOM queries by the launcher (Playwright) when a test asks: the test
// logs `[qrpo-page-facts] <file>`, the launcher writes the facts there as JSON (by rename, so existing means
// complete) and the test polls for the file. Shared by both sides.
export const pageFactsMarker = '[qrpo-page-facts]';
export const pageFactsPattern = /\[qrpo-page-facts\] (\S+)/;

export interface PageFacts {
  /** aria-labels of the activity bar's view containers. */
  readonly activityBar: readonly string[];
  /** Titles of the side bar's visible view panes. */
  readonly sideBarPanes: readonly string[];
  /** Text of the rendered rows of the side bar's trees (virtualised: the visible ones only). */
  readonly sideBarRows: readonly string[];
  /** Webview frames in the editor area (one per open webview panel). */
  readonly webviewFrames: number;
}

/** Runs in the page: plain DOM queries against the workbench's stable class names. */
export function collectPageFacts(): PageFacts {
  const texts = (selector: string, read: (e: Element) => string | null) =>
    [...document.querySelectorAll(selector)].map(read).filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  return {
    activityBar: texts('.part.activitybar .action-item .action-label, .part.activitybar .action-item a', (e) => e.getAttribute('aria-label')),
    sideBarPanes: texts('.part.sidebar .pane-header .title', (e) => e.textContent),
    sideBarRows: texts('.part.sidebar .monaco-list-row', (e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
    webviewFrames: document.querySelectorAll('.part.editor iframe, iframe.webview').length,
  };
}
