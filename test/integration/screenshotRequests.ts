// Page screenshots on request from the test suite. A suite test logs `[qrpo-screenshot] <name>`; the log reaches
// the launcher through codeAutomationLog, which saves test-results/screenshots/<name>.png. The file appears by
// rename, complete, so the suite can poll for it as the acknowledgement.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

export const screenshotMarker = '[qrpo-screenshot]';
const namePattern = /\[qrpo-screenshot\] ([\w.-]+)/;

export class ScreenshotRequests {
  private queue: Promise<void> = Promise.resolve();
  readonly taken: string[] = [];

  constructor(
    private readonly folder: string,
    private readonly page: Page,
  ) {
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
  }

  /** Queues a screenshot if the log line asks for one; returns whether it did. */
  handleLogLine(line: string): boolean {
    const name = namePattern.exec(line)?.[1];
    if (!name) return false;
    this.queue = this.queue.then(() => this.take(name));
    return true;
  }

  settled(): Promise<void> {
    return this.queue;
  }

  private async take(name: string): Promise<void> {
    const finalPath = join(this.folder, `${name}.png`);
    const partialPath = join(this.folder, `.${name}.partial.png`);
    try {
      await this.page.screenshot({ path: partialPath });
      renameSync(partialPath, finalPath);
      this.taken.push(finalPath);
      console.log(`integration: screenshot ${finalPath}`);
    } catch (error) {
      console.error(`integration: screenshot ${name} failed: ${String(error)}`);
    }
  }
}
