// status.json: what a run is doing now, for the Runs view and `qrpo status`. The engine is its only writer; every
// write is atomic. Progress changes many times a second, so writes are throttled (at most one per 500 ms by
// default) while state changes (a stage starts, the run fails) are written at once.
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomicFile';

export type RunState = 'pending' | 'running' | 'stopping' | 'stopped' | 'done' | 'failed';
export type StageState = 'pending' | 'running' | 'done' | 'failed' | 'stopped';

export interface StageProgress {
  name: string;
  state: StageState;
  done: number;
  /** null while the stage does not know its size yet. */
  total: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  etaSeconds: number | null;
  /** The stage's output was already complete (a resumed run), so it did not run. */
  skipped?: boolean;
}

export interface RunStatus {
  state: RunState;
  /** The stage running now, or the last one that ran. */
  stage: string | null;
  /** Optimizer step of training, when it has started. */
  step: number | null;
  totalSteps: number | null;
  stages: StageProgress[];
  /** Why the run failed: a message for people, no stack. */
  error?: string;
  pid: number;
  updatedAt: string;
}

export function initialStatus(stageNames: readonly string[]): RunStatus {
  return {
    state: 'pending',
    stage: null,
    step: null,
    totalSteps: null,
    stages: stageNames.map((name) => ({ name, state: 'pending', done: 0, total: null, startedAt: null, finishedAt: null, etaSeconds: null })),
    pid: process.pid,
    updatedAt: new Date().toISOString(),
  };
}

/** The status a run folder holds, or undefined when there is none (or it cannot be parsed). */
export async function readStatus(file: string): Promise<RunStatus | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as RunStatus;
  } catch {
    return undefined;
  }
}

export interface StatusWriterOptions {
  /** Least time between two throttled writes. */
  minIntervalMs?: number;
  /** Injected in tests to count writes. */
  write?: (file: string, text: string) => Promise<void>;
}

export class StatusWriter {
  private lastWriteAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private dirty = false;
  private readonly minIntervalMs: number;
  private readonly write: (file: string, text: string) => Promise<void>;

  constructor(readonly file: string, readonly status: RunStatus, options: StatusWriterOptions = {}) {
    this.minIntervalMs = options.minIntervalMs ?? 500;
    this.write = options.write ?? writeFileAtomic;
  }

  /** Changes the status; written now when `urgent` (a state change), else within minIntervalMs. */
  update(change: (status: RunStatus) => void, urgent = false): void {
    change(this.status);
    this.dirty = true;
    const wait = this.lastWriteAt + this.minIntervalMs - Date.now();
    if (urgent || wait <= 0) {
      this.writeNow();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.writeNow(), wait);
      this.timer.unref();
    }
  }

  stage(name: string): StageProgress {
    const stage = this.status.stages.find((candidate) => candidate.name === name);
    if (stage === undefined) throw new Error(`no stage ${name} in status`);
    return stage;
  }

  /** Waits for every write so far, including a pending throttled one; throws if a write failed. */
  async flush(): Promise<void> {
    if (this.dirty) this.writeNow();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  private writeNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    this.lastWriteAt = Date.now();
    this.status.updatedAt = new Date().toISOString();
    const text = `${JSON.stringify(this.status, null, 2)}\n`;
    this.chain = this.chain.then(() => this.write(this.file, text)).catch((error: unknown) => {
      this.failure ??= error;
    });
  }
}
