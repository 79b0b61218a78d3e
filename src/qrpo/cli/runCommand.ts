// `qrpo run CONFIG`: validates the config and everything it names (datasets, models) before any stage, then runs
// every stage of the run into its folder (output_dir), resuming one that already holds the same config.
// `--dry-run` stops after the validation and says what would run.
import { existsSync } from 'node:fs';
import { ConfigError } from '../errors';
import { loadRunConfig, type RunConfig } from '../run/config';
import { displayPath } from '../run/displayPath';
import type { TerminalStream } from '../run/progressRenderer';
import { RUN_FILES } from '../run/runFolder';
import { startRun } from '../run/startRun';
import { runStages } from '../run/stages/runStages';
import { validateRun, type RunValidation } from '../run/validateRun';
import { parseCommandLine } from './arguments';
import type { CommandOutput } from './output';
import { reportRun } from './runReporter';

export const runUsage = `qrpo run CONFIG [--json] [--dry-run]

Runs a QRPO (or DPO, SimPO, REBEL, SFT) run from a config file (JSON or YAML; schemas/run-config.schema.json):
[sft →] reference sampling → reward scoring → quantiles → reference log-probs → training → evaluation, into the
config's output_dir. A folder that already holds this config resumes where it stopped.

  --dry-run   check the config, datasets and models, print what would run, and run nothing
  --json      print the run's events as one JSON object per line (stage_started, progress, metrics, checkpoint,
              stage_finished, warning, error, run_finished), then a summary`;

const options = {
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runCommand(argv: string[], output: CommandOutput, terminal?: TerminalStream): Promise<number> {
  const { values, positionals } = parseCommandLine('run', argv, options);
  if (values.help) {
    output.text(runUsage);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new ConfigError(positionals.length === 0 ? "'qrpo run' needs a config file" : `'qrpo run' takes one config file, got ${positionals.length}`, `Usage: ${runUsage.split('\n')[0]}`);
  }
  const [configFile] = positionals;
  const json = values.json === true;
  if (values['dry-run']) return dryRun(configFile, output, json);
  // startRun loads the config again and checks it; the stages depend on it (sft, off-policy data, quantiles).
  const { config } = await loadRunConfig(configFile);
  return reportRun({ output, json, terminal }, (runOptions) => startRun(configFile, () => runStages(config, { trusted: true }), runOptions));
}

/** The validation pass alone, and what a run would do: its folder and its stages. */
async function dryRun(configFile: string, output: CommandOutput, json: boolean): Promise<number> {
  const { config, document } = await loadRunConfig(configFile);
  const validation = await validateRun(config, { document });
  const stages = runStages(config, { trusted: true }).map((stage) => stage.name);
  const resumes = existsSync(`${config.output_dir}/${RUN_FILES.manifest}`);
  if (json) {
    output.event({ event: 'dry_run', configFile, runDir: config.output_dir, resumes, stages, datasets: validation.datasets, models: validation.models, time: new Date().toISOString() });
    return 0;
  }
  output.text(renderDryRun(configFile, config, validation, stages, resumes));
  return 0;
}

function renderDryRun(configFile: string, config: RunConfig, validation: RunValidation, stages: string[], resumes: boolean): string {
  const training = config.max_steps > 0 ? `${config.max_steps} steps` : `${config.num_train_epochs} epoch${config.num_train_epochs === 1 ? '' : 's'}`;
  return [
    `${displayPath(configFile)} is valid; nothing was run (--dry-run)`,
    `run folder: ${displayPath(config.output_dir)} (${resumes ? 'exists: the run would resume there' : 'new'})`,
    ...validation.datasets.map((d) => `${d.field}: ${displayPath(d.path)}, ${d.rows} rows, ${d.records} records`),
    ...validation.models.map((m) => `${m.field}: ${displayPath(m.path)} (${m.architecture})`),
    `loss ${config.loss_type}, β ${config.beta}, learning rate ${config.learning_rate}, ${training}, device ${config.device}${config.use_peft ? `, LoRA r ${config.lora_r}` : ''}`,
    `would run ${stages.length} stages: ${stages.join(' → ')}`,
  ].join('\n');
}
