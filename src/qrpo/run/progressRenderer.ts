// Run events as a person reads them in a terminal: on a TTY, one progress bar per stage redrawn in place with the
// stage's ETA; elsewhere (a log file, CI), plain lines at each tenth of a stage, so logs stay short and greppable.
import { displayPath } from './displayPath';
import type { RunEvent } from './events';

export interface TerminalStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** `1:05:03`, `4:07`, `0:09`. */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function progressBar(done: number, total: number, width: number): string {
  const filled = Math.round(width * Math.min(1, Math.max(0, done / total)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

/** `quantiles  [████░░░░]  45%  450/1000  ETA 0:12` (without a bar when the total is unknown). */
export function progressLine(stage: string, done: number, total: number | null, etaSeconds: number | null, width = 80): string {
  const eta = etaSeconds === null ? 'ETA --:--' : `ETA ${formatDuration(etaSeconds)}`;
  if (total === null || total <= 0) return `${stage}  ${done}  ${eta}`;
  const percent = `${Math.floor((100 * done) / total)}%`.padStart(4);
  const counts = `${done}/${total}`;
  const barWidth = Math.max(10, Math.min(40, width - stage.length - counts.length - eta.length - 14));
  return `${stage}  [${progressBar(done, total, barWidth)}] ${percent}  ${counts}  ${eta}`;
}

export class ProgressRenderer {
  private lineOpen = false;
  private lastTenth = new Map<string, number>();

  constructor(private readonly stream: TerminalStream) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  handle(event: RunEvent): void {
    switch (event.event) {
      case 'stage_started':
        this.line(`[${event.index + 1}/${event.stages}] ${event.stage}`);
        this.lastTenth.set(event.stage, -1);
        break;
      case 'progress':
        this.progress(event.stage, event.done, event.total, event.etaSeconds);
        break;
      case 'stage_finished':
        if (event.skipped) this.line(`${event.stage}: already complete, skipped`);
        else this.line(`${event.stage}: ${event.state} in ${formatDuration(event.seconds)}`);
        break;
      case 'checkpoint':
        this.line(`checkpoint-${event.step} saved`);
        break;
      case 'warning':
        this.line(`warning: ${event.message}`);
        break;
      case 'error':
        this.line(`error: ${event.message}${event.hint ? `. ${event.hint}` : ''}`);
        break;
      case 'run_finished':
        this.line(`run ${event.state} after ${formatDuration(event.seconds)}: ${displayPath(event.runDir)}`);
        break;
      case 'metrics':
        break;
    }
  }

  private progress(stage: string, done: number, total: number | null, etaSeconds: number | null): void {
    const text = progressLine(stage, done, total, etaSeconds, this.stream.columns ?? 80);
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text}`);
      this.lineOpen = true;
      return;
    }
    // Plain output: one line per tenth of the stage.
    const tenth = total ? Math.floor((10 * done) / total) : -1;
    if (tenth > (this.lastTenth.get(stage) ?? -1)) {
      this.lastTenth.set(stage, tenth);
      this.stream.write(`${text}\n`);
    }
  }

  private line(text: string): void {
    if (this.lineOpen) this.stream.write('\r\x1b[2K');
    this.lineOpen = false;
    this.stream.write(`${text}\n`);
  }
}
