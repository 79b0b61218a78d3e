// "QRPO: Export Checkpoint…": copies a checkpoint out of its run folder as a loadable model: a Hugging Face folder
// (config.json, weights, tokenizer files; from_pretrained loads it) or, for a LoRA run, the PEFT adapter folder
// (adapter_config.json, adapter_model.safetensors; PeftModel.from_pretrained loads it). The training-only files
// (optimizer state) stay behind. ONNX export needs the engine, whose CLI has no export command yet.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { optionsOf, runFromArg, stepOf } from './commandArguments';
import type { RunCommandContext } from './runCommandContext';

export interface ExportCheckpointOptions {
  readonly step: number;
  /** The folder to export into; the checkpoint lands in <destination>/<run>-checkpoint-<step>. */
  readonly destination: vscode.Uri;
}

/** Files a checkpoint holds only to resume training. */
const trainingOnly = /^optimizer(\.|$)|^rng_state|^scheduler\.pt$/;

export async function exportCheckpoint(context: RunCommandContext, arg?: unknown, optionsArg?: unknown): Promise<vscode.Uri | undefined> {
  const options = optionsOf<ExportCheckpointOptions>(optionsArg);
  const run = await runFromArg(context.runsModel, arg, { title: 'Export a checkpoint of which run?', none: 'There are no runs.' });
  if (!run) return undefined;
  const details = await context.runsModel.runDetails(run.folder);
  const step = stepOf(arg) ?? options.step ?? (await pickCheckpoint(details.checkpoints));
  if (step === undefined) return undefined;
  if (!details.checkpoints.includes(step)) {
    void vscode.window.showErrorMessage(step === 0 ? 'Step 0 is the start model, which is not a checkpoint of the run: export the model folder itself.' : `${run.name} has no checkpoint-${step}.`);
    return undefined;
  }
  const source = path.join(run.folder.fsPath, `checkpoint-${step}`);
  const names = await fs.readdir(source);
  const isAdapter = names.includes('adapter_config.json');
  const destination = options.destination ?? (await pickDestination(isAdapter));
  if (!destination) return undefined;
  const target = vscode.Uri.joinPath(destination, `${run.name}-checkpoint-${step}${isAdapter ? '-adapter' : ''}`);
  await vscode.workspace.fs.createDirectory(target);
  for (const name of names.filter((n) => !trainingOnly.test(n))) {
    await vscode.workspace.fs.copy(vscode.Uri.file(path.join(source, name)), vscode.Uri.joinPath(target, name), { overwrite: true });
  }
  void vscode.window
    .showInformationMessage(`Exported checkpoint-${step} of ${run.name} as ${isAdapter ? 'a PEFT adapter' : 'a Hugging Face model folder'}: ${target.fsPath}`, 'Reveal')
    .then((choice) => choice && vscode.commands.executeCommand('revealFileInOS', target));
  return target;
}

async function pickCheckpoint(steps: readonly number[]): Promise<number | undefined> {
  if (steps.length === 0) {
    void vscode.window.showInformationMessage('This run has saved no checkpoint yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(steps.map((step) => ({ label: `checkpoint-${step}`, step })).reverse(), { title: 'Export which checkpoint?' });
  return picked?.step;
}

async function pickDestination(isAdapter: boolean): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: isAdapter ? 'Export the PEFT adapter into…' : 'Export the Hugging Face model folder into…',
    openLabel: 'Export Here',
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
