// Stopping a run: `qrpo stop RUN_DIR` writes stop.request (atomically) and sends SIGTERM to the lock owner when it
// runs on this host. The engine turns either into an abort between steps: the signal at once, the file within a
// poll interval (a run on another host sharing the folder over a network filesystem sees only the file).
import { existsSync, promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomicFile';
import { RunFolder, RUN_FILES } from './runFolder';
import { isOwnerAlive, readRunLock, type LockOwner } from './runLock';

export interface StopResult {
  /** The process holding the run, if any. */
  owner?: LockOwner;
  /** true: SIGTERM sent; false: the owner is on another host, only the file can reach it. */
  signalled: boolean;
  /** Whether anything is running the folder (undefined: another host, unknown). */
  running: boolean | undefined;
}

export async function requestStop(dir: string): Promise<StopResult> {
  const folder = await RunFolder.open(dir);
  const owner = await readRunLock(folder.dir);
  const alive = owner === undefined ? false : isOwnerAlive(owner);
  if (alive === false) return { owner, signalled: false, running: false };
  await writeFileAtomic(folder.path(RUN_FILES.stopRequest), `${JSON.stringify({ requestedAt: new Date().toISOString(), by: process.pid })}\n`);
  if (alive && owner) {
    try {
      process.kill(owner.pid, 'SIGTERM');
      return { owner, signalled: true, running: true };
    } catch {
      return { owner, signalled: false, running: false };
    }
  }
  return { owner, signalled: false, running: undefined };
}

export function isStopRequested(dir: string): boolean {
  return existsSync(new RunFolder(dir).path(RUN_FILES.stopRequest));
}

export async function clearStopRequest(dir: string): Promise<void> {
  await fs.rm(new RunFolder(dir).path(RUN_FILES.stopRequest), { force: true });
}

export interface StopWatch {
  dispose(): void;
}

/**
 * Aborts `controller` when a stop is requested: by stop.request (polled) or, with `signals`, by SIGTERM/SIGINT.
 * A second signal after the first exits at once, for a user who does not want to wait for the current step.
 */
export function watchStopRequests(dir: string, controller: AbortController, options: { pollMs?: number; signals?: boolean } = {}): StopWatch {
  const stop = (reason: string) => {
    if (!controller.signal.aborted) controller.abort(new StopRequestedError(reason));
  };
  const timer = setInterval(() => {
    if (isStopRequested(dir)) stop('stop.request');
  }, options.pollMs ?? 1000);
  timer.unref();
  const handlers: [NodeJS.Signals, () => void][] = [];
  if (options.signals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const handler = () => {
        if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
        stop(signal);
      };
      process.on(signal, handler);
      handlers.push([signal, handler]);
    }
  }
  return {
    dispose: () => {
      clearInterval(timer);
      for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    },
  };
}

/** The abort reason of a stopped run. */
export class StopRequestedError extends Error {
  constructor(readonly source: string) {
    super(`stop requested (${source})`);
    this.name = 'StopRequestedError';
  }
}
