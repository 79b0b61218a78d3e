// The two ways a run begins, as `qrpo run CONFIG` and `qrpo resume RUN_DIR` use them: load and check everything
// that can be checked cheaply (config, cross-field rules, datasets, models), then create or reopen the run folder
// and hand it to the pipeline. Nothing expensive starts before the dry validation pass has succeeded.
import { loadRunConfig } from './config';
import { runPipeline, type RunOutcome, type RunPipelineOptions, type Stage } from './pipeline';
import { RunFolder } from './runFolder';
import { validateRun, type RunValidation } from './validateRun';

export interface StartedRun {
  folder: RunFolder;
  validation: RunValidation;
  outcome: RunOutcome;
}

export interface StartRunOptions extends RunPipelineOptions {
  /** Called after the dry validation pass, before any stage. */
  onValidated?: (validation: RunValidation, folder: RunFolder) => void;
}

/** `qrpo run CONFIG`: a new run folder (or the same config's existing one, which then resumes). */
export async function startRun(configFile: string, stages: (folder: RunFolder) => readonly Stage[], options: StartRunOptions = {}): Promise<StartedRun> {
  const { config, document } = await loadRunConfig(configFile);
  const validation = await validateRun(config, { document, signal: options.signal });
  const folder = await RunFolder.create(config, { configFile });
  options.onValidated?.(validation, folder);
  return { folder, validation, outcome: await runPipeline(folder, stages(folder), options) };
}

/** `qrpo resume RUN_DIR`: the run.json config, checked again (a dataset may have moved), then the pipeline. */
export async function resumeRun(dir: string, stages: (folder: RunFolder) => readonly Stage[], options: StartRunOptions = {}): Promise<StartedRun> {
  const folder = await RunFolder.open(dir);
  const validation = await validateRun(await folder.config(), { signal: options.signal, document: { file: folder.path('run.json'), lineOf: () => undefined } });
  options.onValidated?.(validation, folder);
  return { folder, validation, outcome: await runPipeline(folder, stages(folder), options) };
}
