// Every id this extension declares in package.json `contributes`, in one place. The integration suite checks that
// this list and the manifest agree, so a renamed command cannot silently lose its menu entry or its handler.

export const CommandId = {
  prepareQuantileRewards: 'qrpo.prepareQuantileRewards',
  openQuantileRewards: 'qrpo.openQuantileRewards',
  refreshRuns: 'qrpo.refreshRuns',
  showLog: 'qrpo.showLog',
} as const;
export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const ViewContainerId = 'qrpo';

export const ViewId = {
  runs: 'qrpo.runs',
} as const;

/** Webview panel types; each is also an `onWebviewPanel:` activation event so panels restore after a reload. */
export const PanelViewType = {
  quantileRewards: 'qrpo.quantileRewards',
} as const;

export const ConfigKey = {
  section: 'qrpo',
  runGlobs: 'runGlobs',
  cliPath: 'cliPath',
} as const;
