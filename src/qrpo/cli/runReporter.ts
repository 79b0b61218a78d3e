// How `qrpo run` and `qrpo resume` show a run as it goes: with --json every run event as one JSON line on stdout
// (the extension spawns the CLI and reads these), otherwise progress bars with an ETA per stage on a TTY and plain
// lines elsewhere (progressRenderer.ts); then the summary. The exit status says how the run ended.
import { QrpoError } from '../errors';
import type { RunEvent } from '../run/events';
import { ProgressRenderer, type TerminalStream } from '../run/progressRenderer';
import type { RunFolder } from '../run/runFolder';
import type { StartedRun, StartRunOptions } from '../run/startRun';
import type { RunValidation } from '../run/validateRun';
import type { CommandOutput } from './output';
import { renderRunSummary, runSummary } from './runSummary';

export interface RunReporting {
  readonly output: CommandOutput;
  readonly json: boolean;
  /** Where progress bars go (default process.stdout). */
  readonly terminal?: TerminalStream;
}

/** Runs `start` with events routed to the output and returns the exit status: 0 done or stopped, 2 a user's error, 1 a bug. */
export async function reportRun(reporting: RunReporting, start: (options: StartRunOptions) => Promise<StartedRun>): Promise<number> {
  const { output, json } = reporting;
  const renderer = json ? undefined : new ProgressRenderer(reporting.terminal ?? process.stdout);
  const onEvent = (event: RunEvent) => (json ? output.event(event) : renderer!.handle(event));
  const onValidated = (validation: RunValidation, folder: RunFolder) => {
    if (json) output.event({ event: 'run_started', runDir: folder.dir, pid: process.pid, datasets: validation.datasets, models: validation.models, time: new Date().toISOString() });
  };
  const { folder, outcome } = await start({ onEvent, onValidated, handleSignals: true });
  const summary = await runSummary(folder);
  if (json) output.event({ event: 'summary', ...summary });
  else output.text(renderRunSummary(summary));
  if (outcome.state !== 'failed') return 0;
  return outcome.cause instanceof QrpoError ? 2 : 1;
}
