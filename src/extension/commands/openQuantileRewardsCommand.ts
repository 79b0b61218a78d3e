// "QRPO: Open Quantile Rewards…": shows a prepared JSONL in the Quantile Rewards panel. Only reads files, so it
// stays available in Restricted Mode.
import * as vscode from 'vscode';
import type { QuantileRewardsPanel } from '../panels/quantileRewards/quantileRewardsPanel';
import type { QuantileRewardsPanels } from '../panels/quantileRewards/quantileRewardsPanels';

export async function openQuantileRewards(panels: QuantileRewardsPanels, fileArg?: unknown): Promise<QuantileRewardsPanel | undefined> {
  const file = fileArg instanceof vscode.Uri ? fileArg : await pickPreparedFile();
  return file ? panels.open(file) : undefined;
}

async function pickPreparedFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Prepared quantile rewards (*.prepared.jsonl)',
    openLabel: 'Open',
    canSelectMany: false,
    filters: { 'Prepared quantile rewards': ['jsonl'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}
