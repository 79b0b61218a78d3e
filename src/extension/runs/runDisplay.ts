// How runs, stages and evaluations read in the Runs view: icons by state, the short numbers in descriptions, and
// the tooltip. Pure formatting over RunSummary/RunDetails, so the tree provider only assembles items.
import * as vscode from 'vscode';
import type { StageProgress } from '../../qrpo/run/runStatus';
import type { EvaluationSummary, RunConfigSummary } from './runDetails';
import type { RunDisplayState, RunSummary } from './runSummary';

export function runIcon(state: RunDisplayState): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'stopping':
      return new vscode.ThemeIcon('loading~spin');
    case 'done':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'stopped':
      return new vscode.ThemeIcon('debug-pause');
    case 'crashed':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

export function stageIcon(stage: StageProgress): vscode.ThemeIcon {
  if (stage.skipped) return new vscode.ThemeIcon('debug-step-over');
  switch (stage.state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'done':
      return new vscode.ThemeIcon('check');
    case 'failed':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'stopped':
      return new vscode.ThemeIcon('debug-pause');
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}

/** "137/300 · loss 0.255 · q̄ 0.71": where training is, the last logged loss, the latest evaluation's mean quantile. */
export function describeRun(run: RunSummary, latestEvaluation?: EvaluationSummary): string | undefined {
  const parts: string[] = [];
  if (run.state === 'crashed') parts.push('crashed');
  else if (run.state === 'stopped' || run.state === 'failed' || run.state === 'stopping' || run.state === 'pending') parts.push(run.state);
  const step = run.step ?? run.lastMetrics?.step;
  if (step !== undefined) parts.push(run.totalSteps ? `${step}/${run.totalSteps}` : `step ${step}`);
  else if (run.state === 'running' && run.stage) parts.push(stageLabel(run.stage));
  const loss = run.lastMetrics?.loss;
  if (typeof loss === 'number') parts.push(`loss ${formatNumber(loss)}`);
  if (latestEvaluation?.meanQuantile !== undefined) parts.push(`q̄ ${latestEvaluation.meanQuantile.toFixed(2)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/** "37/120 · ETA 1m", "done in 4m 10s", "skipped (already complete)". */
export function describeStage(stage: StageProgress): string {
  if (stage.skipped) return 'skipped (already complete)';
  const progress = stage.total ? `${stage.done}/${stage.total}` : stage.done ? String(stage.done) : '';
  if (stage.state === 'running') {
    const eta = stage.etaSeconds !== null && stage.etaSeconds !== undefined ? `ETA ${formatDuration(stage.etaSeconds)}` : '';
    return [progress, eta].filter(Boolean).join(' · ');
  }
  if (stage.state === 'done' && stage.startedAt && stage.finishedAt) {
    const seconds = (Date.parse(stage.finishedAt) - Date.parse(stage.startedAt)) / 1000;
    if (Number.isFinite(seconds)) return `done in ${formatDuration(seconds)}`;
  }
  return stage.state === 'pending' ? '' : [stage.state, progress].filter(Boolean).join(' · ');
}

/** "q̄ 0.712 · r̄ 0.42": mean quantile against the reference and mean reward, over all eval prompts. */
export function describeEvaluation(evaluation: EvaluationSummary): string {
  const parts = [];
  if (evaluation.meanQuantile !== undefined) parts.push(`q̄ ${evaluation.meanQuantile.toFixed(3)}`);
  if (evaluation.meanReward !== undefined) parts.push(`r̄ ${formatNumber(evaluation.meanReward)}`);
  return parts.join(' · ');
}

export function runTooltip(run: RunSummary, config: RunConfigSummary): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown(`**${escape(run.name)}** — ${run.state === 'unknown' ? 'no status yet' : run.state}`);
  if (run.stage) md.appendMarkdown(` (stage ${escape(stageLabel(run.stage))})`);
  md.appendMarkdown('\n\n');
  const rows: [string, string | undefined][] = [
    ['Loss', config.lossType],
    ['β', config.beta?.toString()],
    ['Transform', config.lossType === 'qrpo' ? config.transform : undefined],
    ['Reward', config.rewardSource],
    ['Model', config.model],
    ['Dataset', config.dataset],
    ['Step', run.step !== undefined ? `${run.step}${run.totalSteps ? ` of ${run.totalSteps}` : ''}` : undefined],
  ];
  for (const [name, value] of rows) if (value !== undefined) md.appendMarkdown(`- ${name}: \`${value.replace(/`/g, "'")}\`\n`);
  if (run.state === 'crashed') md.appendMarkdown('\n$(warning) The status says running, but no live process holds the run (it was killed). Resume it to continue.\n');
  if (run.error) md.appendMarkdown(`\n$(error) ${escape(run.error)}\n`);
  md.appendMarkdown(`\n${escape(run.folder.fsPath)}`);
  return md;
}

/** reference_logps → "reference logps". */
export function stageLabel(name: string): string {
  return name.replace(/_/g, ' ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s / 60}m`;
  const minutes = Math.round((s % 3600) / 60);
  return `${Math.floor(s / 3600)}h${minutes ? ` ${minutes}m` : ''}`;
}

function formatNumber(x: number): string {
  return Math.abs(x) >= 1000 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : Number(x.toPrecision(3)).toString();
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, (c) => `\\${c}`);
}
