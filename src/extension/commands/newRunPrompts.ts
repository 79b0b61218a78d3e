// The quick picks of "QRPO: New Run": the policy (workspace folders with a config.json), the dataset (data files and
// Hugging Face datasets folders), the reward source, the method, β and, for QRPO, the transform. Candidates are
// found with one findFiles each and nothing inside run folders (checkpoints are models too, but not starting points).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunsModel } from '../runs/runsModel';
import { parsePositiveNumber, transforms } from './prepareOptionsPrompt';

const exclude = '**/{node_modules,.git,out,dist}/**';
const maxCandidates = 500;
export const lossTypes = ['qrpo', 'dpo', 'simpo', 'rebel'] as const;
export type LossType = (typeof lossTypes)[number];

const lossDetails: Record<LossType, string> = {
  qrpo: 'Pointwise regression onto quantile rewards f(q) − β·log Z: uses absolute rewards, not only preferences.',
  dpo: 'Direct Preference Optimization on (chosen, rejected) pairs.',
  simpo: 'SimPO: length-normalised log-probs with a margin, no reference model.',
  rebel: 'REBEL: regresses the difference of rewards within a pair.',
};

export interface ModelFolder {
  readonly folder: vscode.Uri;
  /** From config.json, e.g. GPT2LMHeadModel or LlamaForSequenceClassification. */
  readonly architecture?: string;
}

export async function findModelFolders(model: RunsModel): Promise<ModelFolder[]> {
  const configs = await vscode.workspace.findFiles('**/config.json', exclude, maxCandidates);
  const folders = configs.map((c) => vscode.Uri.joinPath(c, '..')).filter((f) => !model.runContaining(f));
  return Promise.all(
    folders.map(async (folder) => {
      try {
        const config = JSON.parse(await fs.readFile(path.join(folder.fsPath, 'config.json'), 'utf8')) as { architectures?: unknown };
        return { folder, architecture: Array.isArray(config.architectures) ? String(config.architectures[0]) : undefined };
      } catch {
        return { folder };
      }
    }),
  );
}

export function isRewardModel(model: ModelFolder): boolean {
  return /ForSequenceClassification|RewardModel/.test(model.architecture ?? '');
}

export async function findDatasets(model: RunsModel, modelFolders: readonly ModelFolder[]): Promise<vscode.Uri[]> {
  const [files, hfFolders] = await Promise.all([
    vscode.workspace.findFiles('**/*.{jsonl,json,csv,parquet}', exclude, maxCandidates),
    vscode.workspace.findFiles('**/{dataset_dict.json,dataset_info.json}', exclude, maxCandidates),
  ]);
  const insideModel = (uri: vscode.Uri) => modelFolders.some((m) => uri.path.startsWith(`${m.folder.path}/`));
  const dataFiles = files.filter(
    (f) => !/(\.prepared\.jsonl|\.qrpo\.json|package(-lock)?\.json|tsconfig\.json|\.summary\.json)$/.test(f.path) && !insideModel(f) && !model.runContaining(f) && !/\/(\.vscode|schemas)\//.test(f.path),
  );
  const datasetFolders = hfFolders.map((f) => vscode.Uri.joinPath(f, '..'));
  return [...new Map([...datasetFolders, ...dataFiles.filter((f) => !datasetFolders.some((d) => f.path.startsWith(`${d.path}/`)))].map((u) => [u.toString(), u])).values()].sort((a, b) =>
    a.path.localeCompare(b.path),
  );
}

export async function pickModel(folders: readonly ModelFolder[], title: string): Promise<vscode.Uri | undefined> {
  const items: (vscode.QuickPickItem & { folder?: vscode.Uri })[] = folders.map((m) => ({
    label: `$(folder) ${vscode.workspace.asRelativePath(m.folder)}`,
    description: m.architecture,
    folder: m.folder,
  }));
  items.push({ label: '$(folder-opened) Browse…', description: 'a Hugging Face model folder elsewhere' });
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  if (!picked) return undefined;
  return picked.folder ?? (await browse({ canSelectFolders: true, title }));
}

export async function pickDataset(datasets: readonly vscode.Uri[], title: string): Promise<vscode.Uri | undefined> {
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = datasets.map((uri) => ({ label: `$(file) ${vscode.workspace.asRelativePath(uri)}`, uri }));
  items.push({ label: '$(folder-opened) Browse…', description: 'JSONL, JSON, CSV, Parquet, or a datasets folder' });
  const picked = await vscode.window.showQuickPick(items, { title });
  if (!picked) return undefined;
  return picked.uri ?? (await browse({ canSelectFiles: true, canSelectFolders: true, title, filters: { Datasets: ['jsonl', 'json', 'csv', 'parquet'] } }));
}

export type RewardChoice = { source: 'column'; column?: string } | { source: 'model'; path: string } | { source: 'module'; path: string };

export async function pickReward(models: readonly ModelFolder[], title: string): Promise<RewardChoice | undefined> {
  type Item = vscode.QuickPickItem & { choice?: RewardChoice; module?: true };
  const items: Item[] = [
    { label: '$(table) Reward column in the dataset', description: 'reward, or chosen_rewards / rejected_rewards for pairs', choice: { source: 'column' } },
    ...models
      .filter(isRewardModel)
      .map((m): Item => ({ label: `$(symbol-class) ${vscode.workspace.asRelativePath(m.folder)}`, description: m.architecture, choice: { source: 'model', path: m.folder.fsPath } })),
  ];
  // A workspace module is code from the workspace: offered only when the workspace is trusted to run it.
  if (vscode.workspace.isTrusted) items.push({ label: '$(symbol-method) JavaScript module in the workspace…', description: 'exports reward(prompt, completion)', module: true });
  else items.push({ label: '$(lock) JavaScript module (needs a trusted workspace)', description: 'workspace code does not run in Restricted Mode' });
  const picked = await vscode.window.showQuickPick(items, { title });
  if (!picked) return undefined;
  if (picked.choice) return picked.choice;
  if (!picked.module) return undefined;
  const module = await browse({ canSelectFiles: true, title: 'Reward module', filters: { JavaScript: ['js', 'cjs', 'mjs'] } });
  return module ? { source: 'module', path: module.fsPath } : undefined;
}

export async function pickLossType(title: string): Promise<LossType | undefined> {
  const picked = await vscode.window.showQuickPick(
    lossTypes.map((label) => ({ label, detail: lossDetails[label] })),
    { title },
  );
  return picked?.label;
}

export async function askBeta(title: string, lossType: LossType): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt: 'β, the KL regularisation strength (> 0). Smaller β lets the policy move further from the reference.',
    value: lossType === 'simpo' ? '2' : '0.1',
    validateInput: (value) => (parsePositiveNumber(value) === undefined ? 'Enter a positive number, e.g. 0.1 or 3e-3.' : undefined),
  });
  return text === undefined ? undefined : parsePositiveNumber(text);
}

export async function pickTransform(title: string): Promise<string | undefined> {
  return (await vscode.window.showQuickPick([...transforms], { title, placeHolder: 'identity is what the paper uses' })) ?? undefined;
}

export async function askRunName(title: string, value: string, taken: (name: string) => boolean): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title,
    prompt: 'The run name: the config becomes <name>.qrpo.yaml and the run folder runs/<name>.',
    value,
    validateInput: (name) =>
      !/^[\w.-]+$/.test(name) ? 'Use letters, digits, dots, dashes and underscores.' : taken(name) ? `${name}.qrpo.yaml exists already.` : undefined,
  });
}

async function browse(options: vscode.OpenDialogOptions): Promise<vscode.Uri | undefined> {
  return (await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri, ...options }))?.[0];
}
