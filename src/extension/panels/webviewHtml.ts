// The HTML shell every QRPO webview starts from: a strict Content Security Policy with a fresh nonce per render,
// our stylesheets and the one webview bundle. Nothing inline runs without the nonce; chart.js and lit only set
// styles through the CSSOM (element.style, adoptedStyleSheets), which style-src does not block.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewShell {
  readonly webview: vscode.Webview;
  readonly extensionUri: vscode.Uri;
  readonly title: string;
  /** Which app webview/main.ts mounts. */
  readonly app: string;
  readonly stylesheets: readonly string[];
}

export function renderWebviewHtml(shell: WebviewShell): string {
  const { webview, extensionUri } = shell;
  const nonce = randomBytes(18).toString('base64');
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const csp = [
    `default-src 'none'`,
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  const styles = shell.stylesheets.map((href) => `<link rel="stylesheet" href="${asset('media', href)}" nonce="${nonce}">`);
  // The early listener buffers violations that happen before the bundle runs (while the body is parsed);
  // webview/cspReporter.ts drains the buffer and reports everything to the host.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<script nonce="${nonce}">
window.qrpoEarlyCspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => window.qrpoEarlyCspViolations && window.qrpoEarlyCspViolations.push(e));
</script>
<link rel="stylesheet" href="${asset('dist', 'codicon.css')}" id="vscode-codicon-stylesheet" nonce="${nonce}">
${styles.join('\n')}
<title>${escapeHtml(shell.title)}</title>
</head>
<body data-app="${escapeHtml(shell.app)}">
<main id="app"></main>
<script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
