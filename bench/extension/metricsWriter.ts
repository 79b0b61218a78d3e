// A stand-in for a training run, as a separate process: appends one metrics line per step to the live run's
// metrics.jsonl at a fixed rate and rewrites status.json atomically (temp file + rename) at most every 500 ms, as
// the engine does (src/qrpo/run/runStatus.ts). Stops after the given seconds, or at the run's last step.
//   node metricsWriter.js <runFolder> <linesPerSecond> <seconds> <ownerPid> <totalSteps>
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsRows, runStatus } from '../../test/fixtures/workspace/fixtureRuns';
import { liveRun } from './benchWorkspace';

const [folder, rateArg, secondsArg, pidArg, stepsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const ownerPid = Number(pidArg);
const statusEveryMs = 500;

const run = liveRun(Number(stepsArg));
const rows = metricsRows({ ...run, steps: run.totalSteps }, run.steps + 1, run.totalSteps);
const started = Date.now();
let written = 0;
let statusAt = 0;

const timer = setInterval(() => {
  // Catch up on the schedule (timers drift), so the rate is what was asked for.
  const due = Math.min(rows.length, Math.floor(((Date.now() - started) / 1000) * rate));
  let lines = '';
  for (; written < due; written++) lines += `${JSON.stringify(rows[written])}\n`;
  if (lines) appendFileSync(join(folder, 'metrics.jsonl'), lines);
  if (Date.now() - statusAt >= statusEveryMs) {
    statusAt = Date.now();
    const status = runStatus(run, ownerPid, run.steps + written);
    writeFileSync(join(folder, 'status.json.tmp'), `${JSON.stringify(status, null, 2)}\n`);
    renameSync(join(folder, 'status.json.tmp'), join(folder, 'status.json'));
  }
  if (written >= rows.length || Date.now() - started >= seconds * 1000) {
    clearInterval(timer);
    console.log(JSON.stringify({ lines: written, seconds: (Date.now() - started) / 1000 }));
  }
}, Math.max(5, Math.floor(1000 / rate / 2)));
