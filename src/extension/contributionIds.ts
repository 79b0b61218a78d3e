// Every id this extension declares in package.json `contributes`, in one place. The integration suite checks that
// this list and the manifest agree, so a renamed command cannot silently lose its menu entry or its handler.

export const CommandId = {
  // Runs: explorer, launcher (src/extension/commands).
  newRun: 'qrpo.newRun',
  startRun: 'qrpo.startRun',
  stopRun: 'qrpo.stopRun',
  resumeRun: 'qrpo.resumeRun',
  evaluateCheckpoint: 'qrpo.evaluateCheckpoint',
  exportCheckpoint: 'qrpo.exportCheckpoint',
  deleteRun: 'qrpo.deleteRun',
  revealRun: 'qrpo.revealRun',
  revealRunInExplorer: 'qrpo.revealRunInExplorer',
  copyRunPath: 'qrpo.copyRunPath',
  compareWith: 'qrpo.compareWith',
  openDemo: 'qrpo.openDemo',
  refreshRuns: 'qrpo.refreshRuns',
  showLog: 'qrpo.showLog',
  prepareQuantileRewards: 'qrpo.prepareQuantileRewards',
  // Panels (src/extension/panels): handlers registered by each panel's register function.
  openQuantileRewards: 'qrpo.openQuantileRewards',
  openResults: 'qrpo.openResults',
  openLengthBias: 'qrpo.openLengthBias',
  previewDataset: 'qrpo.previewDataset',
  openTrainingCurves: 'qrpo.openTrainingCurves',
  compareRuns: 'qrpo.compareRuns',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewContainerId = 'qrpo';

export const ViewId = {
  runs: 'qrpo.runs',
} as const;

/** Webview panel types; each is also an `onWebviewPanel:` activation event so panels restore after a reload. */
export const PanelViewType = {
  quantileRewards: 'qrpo.quantileRewards',
  runQuantileRewards: 'qrpo.runQuantileRewards',
  evaluation: 'qrpo.evaluation',
  lengthBias: 'qrpo.lengthBias',
  trainingCurves: 'qrpo.trainingCurves',
  compareRuns: 'qrpo.compareRuns',
} as const;

/** Custom editors (package.json customEditors); VS Code restores them itself. */
export const CustomEditorViewType = {
  runResults: 'qrpo.runResults',
  datasetPreview: 'qrpo.datasetPreview',
} as const;

export const ConfigKey = {
  section: 'qrpo',
  runGlobs: 'runGlobs',
  cliPath: 'cliPath',
} as const;

/** Run config files: `qrpo run` takes them; the editor completes, documents and offers "Start Run" on them. */
export const runConfigFilePattern = '**/*.qrpo.{yaml,yml,json}';
export const runConfigFileName = /\.qrpo\.(ya?ml|json)$/;
