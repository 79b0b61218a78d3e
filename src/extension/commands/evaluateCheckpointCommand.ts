// "QRPO: Evaluate Checkpoint": `qrpo eval RUN_DIR --checkpoint STEP --json` writes evals/<step>/ (samples and
// summary), which the Runs view then shows under the checkpoint. Step 0 evaluates the start model.
import * as vscode from 'vscode';
import type { RunJob } from '../launcher/runJobs';
import { optionsOf, runFromArg, stepOf } from './commandArguments';
import { reportJobOutcome, type RunCommandContext } from './runCommandContext';
import { requireWorkspaceTrust } from './workspaceTrustGate';

export async function evaluateCheckpoint(context: RunCommandContext, arg?: unknown, optionsArg?: unknown): Promise<RunJob | undefined> {
  if (!requireWorkspaceTrust('Evaluating a checkpoint')) return undefined;
  const run = await runFromArg(context.runsModel, arg, { title: 'Evaluate a checkpoint of which run?', none: 'There are no runs to evaluate.' });
  if (!run) return undefined;
  const step = stepOf(arg) ?? optionsOf<{ step: number }>(optionsArg).step ?? (await pickStep(context, run.folder));
  if (step === undefined) return undefined;
  const what = step === 0 ? 'the start model' : `checkpoint-${step}`;
  const job = context.jobs.launch({
    kind: 'eval',
    title: `QRPO evaluate ${run.name} ${what}`,
    args: ['eval', run.folder.fsPath, '--checkpoint', String(step), '--json'],
    cwd: run.folder.fsPath,
    runFolder: run.folder,
  });
  void reportJobOutcome(job, context, { what: `Evaluation of ${run.name} ${what}` });
  return job;
}

async function pickStep(context: RunCommandContext, folder: vscode.Uri): Promise<number | undefined> {
  const details = await context.runsModel.runDetails(folder);
  const evaluated = new Set(details.evaluations.map((e) => e.step));
  const items = [0, ...details.checkpoints].map((step) => ({
    label: step === 0 ? 'start model (step 0)' : `checkpoint-${step}`,
    description: evaluated.has(step) ? 'evaluated already (evaluating again writes it anew)' : undefined,
    step,
  }));
  return (await vscode.window.showQuickPick(items, { title: 'Evaluate which checkpoint?' }))?.step;
}
