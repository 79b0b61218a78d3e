// run.log: a human-readable, timestamped log of the run, appended to (never rewritten). Internal errors leave their
// stack trace here, since status.json and the terminal show people only the message.
import { promises as fs } from 'node:fs';

export class RunLog {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  info(message: string): void {
    this.append('info', message);
  }

  warn(message: string): void {
    this.append('warn', message);
  }

  error(message: string): void {
    this.append('error', message);
  }

  /** Waits until every line so far is on disk. */
  flush(): Promise<void> {
    return this.chain;
  }

  private append(level: string, message: string): void {
    const line = `${new Date().toISOString()} ${level.padEnd(5)} ${message.replace(/\n/g, '\n    ')}\n`;
    this.chain = this.chain.then(() => fs.appendFile(this.file, line)).catch(() => undefined);
  }
}
