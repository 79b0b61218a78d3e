// "QRPO: New Run": asks for the policy, dataset, reward source, method, β (and transform for QRPO) and a name,
// writes <name>.qrpo.yaml (or .json) beside the workspace's other files and opens it. Writing a config executes
// nothing, so it works in Restricted Mode (except that a workspace reward module is not offered there).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RunConfigSchema } from '../config/runConfigSchema';
import { runConfigText, type ConfigFormat, type NewRunConfig } from '../config/runConfigText';
import type { RunsModel } from '../runs/runsModel';
import { askBeta, askRunName, findDatasets, findModelFolders, pickDataset, pickLossType, pickModel, pickReward, pickTransform } from './newRunPrompts';

/** Answers given up front (by tests or other callers); each one skips its prompt. Paths are absolute. */
export interface NewRunAnswers extends Partial<NewRunConfig> {
  readonly format?: ConfigFormat;
  /** Where the config goes; default: the first workspace folder. */
  readonly folder?: string;
  /** Open the written file in an editor (default true). */
  readonly open?: boolean;
}

export async function newRun(extensionPath: string, model: RunsModel, answersArg?: unknown): Promise<vscode.Uri | undefined> {
  const given = (typeof answersArg === 'object' && answersArg !== null && !(answersArg instanceof vscode.Uri) ? answersArg : {}) as NewRunAnswers;
  const folder = given.folder ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) {
    void vscode.window.showErrorMessage('New Run writes a config file into the workspace: open a folder first.');
    return undefined;
  }
  if (given.reward?.source === 'module' && !vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('A workspace reward module is code from this workspace; it needs a trusted workspace.');
    return undefined;
  }
  const step = (n: number, what: string) => `New Run (${n}/7): ${what}`;
  const needsModels = !given.model || !given.reward;
  const models = needsModels ? await findModelFolders(model) : [];
  const policy = given.model ?? (await pickModel(models.filter((m) => !/ForSequenceClassification/.test(m.architecture ?? '')), step(1, 'policy model')))?.fsPath;
  if (!policy) return undefined;
  const dataset = given.dataset ?? (await pickDataset(await findDatasets(model, models), step(2, 'training data')))?.fsPath;
  if (!dataset) return undefined;
  const reward = given.reward ?? (await pickReward(models, step(3, 'reward source')));
  if (!reward) return undefined;
  const lossType = given.lossType ?? (await pickLossType(step(4, 'method')));
  if (!lossType) return undefined;
  const beta = given.beta ?? (await askBeta(step(5, 'β'), lossType));
  if (beta === undefined) return undefined;
  const transform = lossType !== 'qrpo' ? undefined : (given.transform ?? (await pickTransform(step(6, 'transform of the quantile'))));
  if (lossType === 'qrpo' && !transform) return undefined;
  const format = given.format ?? 'yaml';
  const fileOf = (name: string) => path.join(folder, `${name}.qrpo.${format}`);
  const suggested = freeName(`${lossType}-beta-${beta}${transform && transform !== 'identity' ? `-${transform}` : ''}`, (n) => existsSync(fileOf(n)));
  const runName = given.runName ?? (await askRunName(step(7, 'name'), suggested, (n) => existsSync(fileOf(n))));
  if (!runName) return undefined;

  const config: NewRunConfig = { runName, model: policy, dataset, reward, lossType, beta, transform };
  const file = vscode.Uri.file(fileOf(runName));
  const text = runConfigText(config, folder, format, RunConfigSchema.fromExtension(extensionPath));
  await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
  if (given.open !== false) await vscode.window.showTextDocument(file);
  return file;
}

function freeName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}-${i}`)) return `${base}-${i}`;
}
