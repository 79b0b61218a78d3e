// The open Length Bias panels, one per set of runs (opening the same set again reveals it), and their restoration
// after a window reload.
import * as vscode from 'vscode';
import type { OpenLinkedPanel } from '../results/resultsPanel';
import { ResultsPanelCollection } from '../results/resultsPanelCollection';
import { LengthBiasPanel } from './lengthBiasPanel';
import { asLengthBiasState } from './messageGuard';
import type { LengthBiasPanelState } from './protocol';

export const LENGTH_BIAS_VIEW_TYPE = 'qrpo.lengthBias';

export class LengthBiasPanels extends ResultsPanelCollection<LengthBiasPanel, readonly vscode.Uri[], LengthBiasPanelState> {
  constructor(extensionUri: vscode.Uri, openLinked: OpenLinkedPanel) {
    super({
      viewType: LENGTH_BIAS_VIEW_TYPE,
      title: 'Length Bias',
      keyOf: (runs) => runs.map((r) => r.toString()).sort().join('\n'),
      parseState: asLengthBiasState,
      targetOf: (state) => state.runs.map((r) => vscode.Uri.parse(r)),
      create: (webviewPanel, runs, restored) => new LengthBiasPanel(webviewPanel, runs, extensionUri, openLinked, restored?.view),
    });
  }
}
