// The host half every results panel shares: the strict-CSP HTML shell, resource roots limited to the extension's
// dist/media and the run folders, message validation, CSP violation counting and `rendered` bookkeeping. A panel
// class owns one PanelHost and answers its panel-specific messages; the webview is a projection rebuilt whenever
// the panel is shown again, so panels resend their state on every `ready`.
import * as vscode from 'vscode';
import { qrpoLog } from '../../log';
import { renderWebviewHtml } from '../webviewHtml';
import type { CommonWebviewMessage } from './commonProtocol';

export interface PanelHostOptions<Message> {
  readonly webviewPanel: vscode.WebviewPanel;
  readonly extensionUri: vscode.Uri;
  /** Which app webview/main.ts mounts (the shell's data-app). */
  readonly app: string;
  /** Folders besides dist/ and media/ the webview may load from (the run folders it shows). */
  readonly resourceRoots: readonly vscode.Uri[];
  /** Validates a message from the webview: the panel's own messages and the common ones. */
  readonly parse: (raw: unknown) => Message | CommonWebviewMessage | undefined;
  readonly onReady: () => unknown;
  readonly onMessage: (message: Message) => unknown;
  readonly onExport?: (what: string, format: 'csv' | 'json') => unknown;
}

export interface RenderedPart {
  readonly what: string;
  readonly count: number;
}

export class PanelHost<Message extends { type: string }, HostMessage extends { type: string }> implements vscode.Disposable {
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedPart>();
  /** Fires each time the webview reports a part drawn. */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly lastRendered = new Map<string, number>();
  private violations = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly options: PanelHostOptions<Message>) {
    const { webviewPanel, extensionUri } = options;
    webviewPanel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...options.resourceRoots],
    };
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'qrpo.svg');
    this.disposables.push(webviewPanel.webview.onDidReceiveMessage((raw) => this.receive(raw)), this.renderedEmitter);
    this.render();
  }

  get webviewPanel(): vscode.WebviewPanel {
    return this.options.webviewPanel;
  }

  /** CSP violations reported since the panel opened; a correct panel reports none. */
  get cspViolationCount(): number {
    return this.violations;
  }

  /** The count of the last render of `what`, if that part has been drawn since the last reload. */
  rendered(what: string): number | undefined {
    return this.lastRendered.get(what);
  }

  /** Resolves with the count of the next render of `what`. */
  nextRender(what: string): Promise<number> {
    return new Promise((resolve) => {
      const subscription = this.onDidRender((part) => {
        if (part.what !== what) return;
        subscription.dispose();
        resolve(part.count);
      });
    });
  }

  /** Rebuilds the webview with a fresh nonce; it will say `ready` again. */
  render(): void {
    this.lastRendered.clear();
    this.options.webviewPanel.webview.html = renderWebviewHtml({
      webview: this.options.webviewPanel.webview,
      extensionUri: this.options.extensionUri,
      title: this.options.webviewPanel.title,
      app: this.options.app,
      // Styles are adopted from script (webview/results/resultsStyles.ts), so nothing here depends on media/.
      stylesheets: [],
    });
  }

  post(message: HostMessage): Thenable<boolean> {
    return this.options.webviewPanel.webview.postMessage(message);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposables.length = 0;
  }

  private async receive(raw: unknown): Promise<void> {
    const message = this.options.parse(raw);
    if (!message) {
      qrpoLog().warn(`${this.options.webviewPanel.title} sent an unknown message: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    try {
      await this.handle(message);
    } catch (error) {
      qrpoLog().error(`${this.options.webviewPanel.title}: handling ${message.type} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private async handle(message: Message | CommonWebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.options.onReady();
        return;
      case 'rendered': {
        const part = message as { what: string; count: number };
        this.lastRendered.set(part.what, part.count);
        this.renderedEmitter.fire({ what: part.what, count: part.count });
        return;
      }
      case 'cspViolation': {
        const violation = message as { directive: string; blockedUri: string; sample: string };
        this.violations++;
        qrpoLog().error(
          `Content Security Policy violation in ${this.options.webviewPanel.title}: ${violation.directive} blocked ${violation.blockedUri || 'inline'} ${violation.sample}`,
        );
        return;
      }
      case 'exportData': {
        const request = message as { what: string; format: 'csv' | 'json' };
        await this.options.onExport?.(request.what, request.format);
        return;
      }
      default:
        await this.options.onMessage(message as Message);
    }
  }
}
