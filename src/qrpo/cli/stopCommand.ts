// `qrpo stop RUN_DIR`: asks the process running RUN_DIR to stop (stop.request and SIGTERM, stopRequest.ts). It
// finishes or abandons the current step, saves a checkpoint when training, and exits; `--wait` waits for that.
import { ConfigError } from '../errors';
import { displayPath } from '../run/displayPath';
import { isOwnerAlive, readRunLock } from '../run/runLock';
import { isStopRequested, requestStop, type StopResult } from '../run/stopRequest';
import { numberOption, parseCommandLine } from './arguments';
import type { CommandOutput } from './output';

export const stopUsage = `qrpo stop RUN_DIR [--wait] [--timeout SECONDS] [--json]

Stops the run in RUN_DIR: training saves a checkpoint of its current step first. 'qrpo resume RUN_DIR' continues it.

  --wait              return only once the run has stopped
  --timeout SECONDS   with --wait, give up after this long (default 600)
  --json              print one JSON object (event "stop": state requested, stopped or not_running)`;

const options = {
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function stopCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('stop', argv, options);
  if (values.help) {
    output.text(stopUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(positionals.length === 0 ? "'qrpo stop' needs a run folder" : `'qrpo stop' takes one run folder, got ${positionals.length}`, `Usage: ${stopUsage.split('\n')[0]}`);
  }
  const [dir] = positionals;
  const timeoutSeconds = numberOption('timeout', values.timeout, 'positive') ?? 600;
  const json = values.json === true;
  // A second SIGTERM makes the run exit at once (stopRequest.ts): when a stop is already under way, only wait for it.
  const owner = await readRunLock(dir);
  const underWay = owner !== undefined && isOwnerAlive(owner) === true && isStopRequested(dir);
  const result: StopResult = underWay ? { owner, signalled: true, running: true } : await requestStop(dir);
  const shown = displayPath(dir);
  const report = (state: string, message: string) => (json ? output.event({ event: 'stop', runDir: dir, state, pid: result.owner?.pid ?? null, message }) : output.text(message));
  if (result.running === false) {
    report('not_running', `no process is running ${shown}; nothing to stop`);
    return 0;
  }
  if (!values.wait) {
    if (underWay) report('requested', `a stop of ${shown} is already under way (process ${owner!.pid})`);
    else report('requested', result.signalled ? `asked process ${result.owner!.pid} to stop ${shown}` : `wrote a stop request into ${shown} (the run is on ${result.owner?.hostname ?? 'another host'})`);
    return 0;
  }
  const deadline = Date.now() + timeoutSeconds * 1000;
  while (Date.now() < deadline) {
    const holder = await readRunLock(dir);
    if (holder === undefined || isOwnerAlive(holder) === false) {
      report('stopped', `${shown} stopped`);
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new ConfigError(`${shown} was asked to stop but is still running after ${timeoutSeconds} s`, `Check 'qrpo status ${shown}'`);
}
