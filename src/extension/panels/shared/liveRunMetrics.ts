// The metrics of one run folder, kept current while any panel shows them. A FileSystemWatcher on metrics.jsonl
// (debounced: the engine appends a line per logging step) triggers a tail read from the last offset, so a live run
// costs one small read per burst of lines, never a re-read of the file. Panels share one instance per run through
// RunMetricsStore and hear `onDidChange` with the first new row, or `restarted` when the file was replaced. A long
// log is read in slices on turns of the event loop (metricsTail.ts), and runs opened together take turns, so
// opening a comparison of twenty runs never holds the extension host for the time it takes to parse them all.
import * as vscode from 'vscode';
import { qrpoLog } from '../../log';
import { nextTurn } from './eventLoopTurns';
import { MetricsTail } from './metricsTail';
import { MetricTable } from './metricTable';

export interface MetricsChange {
  /** Index of the first new row; 0 with `restarted` when everything was read again. */
  readonly start: number;
  readonly restarted: boolean;
}

const debounceMs = 150;

export class LiveRunMetrics implements vscode.Disposable {
  readonly table = new MetricTable();
  private readonly changed = new vscode.EventEmitter<MetricsChange>();
  readonly onDidChange = this.changed.event;
  private readonly tail: MetricsTail;
  private readonly watcher: vscode.FileSystemWatcher;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Reads run one after another so rows are appended in file order. */
  private reading: Promise<void> = Promise.resolve();
  readonly loaded: Promise<void>;

  constructor(readonly folder: vscode.Uri) {
    const file = vscode.Uri.joinPath(folder, 'metrics.jsonl');
    this.tail = new MetricsTail(file);
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, 'metrics.jsonl'));
    const schedule = () => this.schedule();
    this.watcher.onDidCreate(schedule);
    this.watcher.onDidChange(schedule);
    this.watcher.onDidDelete(schedule);
    this.loaded = this.read();
  }

  /** Reads whatever was appended now (also what the watcher calls after its debounce). */
  read(): Promise<void> {
    this.reading = this.reading.then(() => this.readOnce());
    return this.reading;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcher.dispose();
    this.changed.dispose();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.read(), debounceMs);
  }

  private async readOnce(): Promise<void> {
    try {
      await nextTurn();
      let badLines = 0;
      // Each slice is told as it lands, so the table and what panels were told always agree.
      for await (const slice of this.tail.readNewSlices()) {
        badLines += slice.badLines;
        if (slice.restarted) this.table.clear();
        const start = this.table.rows;
        this.table.append(slice.records);
        if (slice.restarted || slice.records.length) this.changed.fire({ start, restarted: slice.restarted });
      }
      if (badLines) qrpoLog().warn(`${this.tail.file.fsPath}: skipped ${badLines} lines that are not JSON objects`);
    } catch (error) {
      qrpoLog().error(`Could not read ${this.tail.file.fsPath}: ${String(error)}`);
    }
  }
}

/** One LiveRunMetrics per run folder, shared by every panel that shows the run, disposed with its last user. */
export class RunMetricsStore implements vscode.Disposable {
  private readonly entries = new Map<string, { metrics: LiveRunMetrics; users: number }>();

  acquire(folder: vscode.Uri): { metrics: LiveRunMetrics; release: () => void } {
    const key = folder.toString();
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { metrics: new LiveRunMetrics(folder), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users++;
    let released = false;
    const held = entry;
    return {
      metrics: entry.metrics,
      release: () => {
        if (released) return;
        released = true;
        if (--held.users === 0) {
          held.metrics.dispose();
          if (this.entries.get(key) === held) this.entries.delete(key);
        }
      },
    };
  }

  dispose(): void {
    for (const { metrics } of this.entries.values()) metrics.dispose();
    this.entries.clear();
  }
}
