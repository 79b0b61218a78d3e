// What a running pipeline tells the world, as typed events: `qrpo run --json` prints one per line on stdout (the
// extension reads them), and the terminal renderer turns them into progress bars. Every event carries its ISO time.

export type RunOutcomeState = 'done' | 'stopped' | 'failed';

export type RunEvent =
  | { event: 'stage_started'; stage: string; index: number; stages: number; total: number | null; time: string }
  | { event: 'progress'; stage: string; done: number; total: number | null; etaSeconds: number | null; ratePerSecond: number | null; time: string }
  | { event: 'metrics'; step: number; metrics: Record<string, unknown>; time: string }
  | { event: 'checkpoint'; step: number; path: string; time: string }
  | { event: 'stage_finished'; stage: string; state: 'done' | 'failed' | 'stopped'; skipped: boolean; seconds: number; time: string }
  | { event: 'run_finished'; state: RunOutcomeState; runDir: string; seconds: number; error?: string; time: string }
  | { event: 'warning'; message: string; stage?: string; time: string }
  | { event: 'error'; message: string; hint?: string; stage?: string; time: string };

export type RunEventName = RunEvent['event'];

/** Distributes union members over Omit, so each event keeps its own fields. */
type WithoutTime<E> = E extends unknown ? Omit<E, 'time'> : never;
export type RunEventInput = WithoutTime<RunEvent>;

export function stamp(event: RunEventInput): RunEvent {
  return { ...event, time: new Date().toISOString() } as RunEvent;
}

/** One line of `--json` output. */
export function eventLine(event: RunEvent): string {
  return `${JSON.stringify(event)}\n`;
}

export type RunEventListener = (event: RunEvent) => void;
