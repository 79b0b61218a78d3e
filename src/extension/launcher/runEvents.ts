// The events `qrpo run|resume|eval … --json` print, one JSON object per line (shapes in src/qrpo/run/events.ts and
// src/qrpo/cli/evalCommand.ts). Checked on arrival: the CLI is another program, possibly another version, and a
// line that does not match is logged rather than trusted.
import type { RunEvent } from '../../qrpo/run/events';
import { jsonObjectLine } from './cliEvents';

/** `qrpo eval --json` ends with the summary it wrote to evals/<step>/summary.json. */
export interface EvalSummaryEvent {
  readonly event: 'summary';
  /** evals/<step>/ of the run. */
  readonly path: string;
  readonly step: number | null;
}

export type EngineRunEvent = RunEvent | EvalSummaryEvent;

type Check = (v: Record<string, unknown>) => boolean;

const str = (x: unknown) => typeof x === 'string';
const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
const numOrNull = (x: unknown) => x === null || x === undefined || num(x);

const checks: Record<EngineRunEvent['event'], Check> = {
  stage_started: (v) => str(v.stage) && num(v.index) && num(v.stages) && numOrNull(v.total),
  progress: (v) => str(v.stage) && num(v.done) && numOrNull(v.total) && numOrNull(v.etaSeconds),
  metrics: (v) => num(v.step) && typeof v.metrics === 'object' && v.metrics !== null,
  checkpoint: (v) => num(v.step) && str(v.path),
  stage_finished: (v) => str(v.stage) && str(v.state),
  run_finished: (v) => str(v.state) && str(v.runDir),
  warning: (v) => str(v.message),
  error: (v) => str(v.message),
  summary: (v) => str(v.path),
};

export function parseRunEvent(line: string): EngineRunEvent | undefined {
  const v = jsonObjectLine(line);
  if (!v) return undefined;
  const check = typeof v.event === 'string' ? checks[v.event as EngineRunEvent['event']] : undefined;
  return check?.(v) ? (v as unknown as EngineRunEvent) : undefined;
}
