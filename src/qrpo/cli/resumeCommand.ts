// `qrpo resume RUN_DIR`: reopens a stopped, failed or killed run with the config in its run.json, checks it again
// (a dataset may have moved), and runs the stages that are not complete; training continues from its latest
// checkpoint and reproduces the uninterrupted run.
import { ConfigError } from '../errors';
import type { TerminalStream } from '../run/progressRenderer';
import { RunFolder } from '../run/runFolder';
import { resumeRun } from '../run/startRun';
import { runStages } from '../run/stages/runStages';
import { parseCommandLine } from './arguments';
import type { CommandOutput } from './output';
import { reportRun } from './runReporter';

export const resumeUsage = `qrpo resume RUN_DIR [--json]

Resumes the run in RUN_DIR (a folder with run.json) where it stopped: complete stages are skipped, training goes
on from its latest checkpoint.

  --json      print the run's events as one JSON object per line, then a summary`;

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function resumeCommand(argv: string[], output: CommandOutput, terminal?: TerminalStream): Promise<number> {
  const { values, positionals } = parseCommandLine('resume', argv, options);
  if (values.help) {
    output.text(resumeUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(positionals.length === 0 ? "'qrpo resume' needs a run folder" : `'qrpo resume' takes one run folder, got ${positionals.length}`, `Usage: ${resumeUsage.split('\n')[0]}`);
  }
  const [dir] = positionals;
  const config = await (await RunFolder.open(dir)).config();
  return reportRun({ output, json: values.json === true, terminal }, (runOptions) => resumeRun(dir, () => runStages(config, { trusted: true }), runOptions));
}
