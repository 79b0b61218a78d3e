// The open Evaluation panels, one per run, and their restoration after a window reload from the state the webview
// saved (the run folder and what the panel showed).
import * as vscode from 'vscode';
import type { OpenLinkedPanel } from '../results/resultsPanel';
import { onePanelPerRun, ResultsPanelCollection } from '../results/resultsPanelCollection';
import { EvaluationPanel } from './evaluationPanel';
import { asEvaluationState } from './messageGuard';
import type { EvaluationPanelState } from './protocol';

export const EVALUATION_VIEW_TYPE = 'qrpo.evaluation';

export class EvaluationPanels extends ResultsPanelCollection<EvaluationPanel, vscode.Uri, EvaluationPanelState> {
  constructor(extensionUri: vscode.Uri, openLinked: OpenLinkedPanel) {
    super(
      onePanelPerRun({
        viewType: EVALUATION_VIEW_TYPE,
        title: 'Evaluation',
        parseState: asEvaluationState,
        create: (webviewPanel, run, restored) => new EvaluationPanel(webviewPanel, run, extensionUri, openLinked, restored?.view),
      }),
    );
  }
}
