// `qrpo status RUN_DIR`: where a run stands, from its folder alone: state (and whether the process holding it is
// alive), each stage's progress and ETA, the training step and last loss, checkpoints and evaluation results.
import { ConfigError } from '../errors';
import { progressLine } from '../run/progressRenderer';
import { RunFolder } from '../run/runFolder';
import { parseCommandLine } from './arguments';
import type { CommandOutput } from './output';
import { renderRunSummary, runSummary } from './runSummary';

export const statusUsage = `qrpo status RUN_DIR [--json]

Shows the state of the run in RUN_DIR: each stage's progress and ETA, training step and loss, checkpoints and
evaluations.

  --json      print one JSON object (event "status") with the same information`;

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function statusCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('status', argv, options);
  if (values.help) {
    output.text(statusUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(positionals.length === 0 ? "'qrpo status' needs a run folder" : `'qrpo status' takes one run folder, got ${positionals.length}`, `Usage: ${statusUsage.split('\n')[0]}`);
  }
  const summary = await runSummary(await RunFolder.open(positionals[0]));
  if (values.json) {
    output.event({ event: 'status', ...summary });
    return 0;
  }
  const running = summary.stages.filter((stage) => stage.state === 'running');
  output.text([renderRunSummary(summary), ...running.map((stage) => `  ${progressLine(stage.name, stage.done, stage.total, stage.etaSeconds)}`)].join('\n'));
  return 0;
}
