// What `qrpo run`, `resume` and `status` print at the end: read from the run folder alone (status.json,
// metrics.jsonl, checkpoint-<step>/, evals/<step>/summary.json), so a run that is over, stopped or still going on
// another machine is summarised the same way.
import { readEvalSummary } from '../eval/evalFolder';
import type { SplitSummary } from '../eval/evalStatistics';
import { displayPath } from '../run/displayPath';
import { isOwnerAlive, readRunLock } from '../run/runLock';
import type { RunFolder } from '../run/runFolder';
import type { RunState, StageProgress } from '../run/runStatus';

export interface EvaluationLine {
  step: number;
  split: 'reporting' | 'all';
  meanReward: number;
  meanQuantile: number;
  klPerSequence: number;
}

export interface RunSummary {
  runDir: string;
  /** status.json's state; `killed` when it says running but no live process holds the folder. */
  state: RunState | 'killed' | 'not started';
  stages: Pick<StageProgress, 'name' | 'state' | 'done' | 'total' | 'skipped' | 'etaSeconds'>[];
  step: number | null;
  totalSteps: number | null;
  finalLoss: number | null;
  loggedSteps: number;
  checkpoints: string[];
  evaluations: EvaluationLine[];
  error?: string;
}

export async function runSummary(folder: RunFolder): Promise<RunSummary> {
  const status = await folder.readStatus();
  const metrics = await folder.readMetrics().catch(() => []);
  const lastLoss = [...metrics].reverse().find((record) => typeof record.loss === 'number');
  const checkpoints = await folder.checkpoints();
  const evaluations: EvaluationLine[] = [];
  for (const step of [0, ...checkpoints]) {
    const summary = await readEvalSummary(folder.evalDir(step));
    if (summary === undefined) continue;
    const split = summary.splits.reporting ? 'reporting' : 'all';
    const shown = summary.splits[split] as SplitSummary;
    evaluations.push({ step, split, meanReward: shown.meanReward, meanQuantile: shown.meanQuantile, klPerSequence: shown.kl.k3.perSequence });
  }
  let state: RunSummary['state'] = status?.state ?? 'not started';
  if (state === 'running' || state === 'stopping') {
    const owner = await readRunLock(folder.dir);
    if (owner === undefined || isOwnerAlive(owner) === false) state = 'killed';
  }
  return {
    runDir: folder.dir,
    state,
    stages: (status?.stages ?? []).map(({ name, state, done, total, skipped, etaSeconds }) => ({ name, state, done, total, etaSeconds, ...(skipped ? { skipped } : {}) })),
    step: status?.step ?? null,
    totalSteps: status?.totalSteps ?? null,
    finalLoss: (lastLoss?.loss as number | undefined) ?? null,
    loggedSteps: metrics.length,
    checkpoints: checkpoints.map((step) => folder.checkpointDir(step)),
    evaluations,
    ...(status?.error ? { error: status.error } : {}),
  };
}

export function renderRunSummary(summary: RunSummary): string {
  const lines = [`run ${summary.state}: ${displayPath(summary.runDir)}`];
  if (summary.stages.length > 0) {
    const stage = (s: RunSummary['stages'][number]) => `${s.name} ${s.skipped ? 'skipped (complete)' : s.state}${s.state === 'running' && s.total ? ` ${s.done}/${s.total}` : ''}`;
    lines.push(`  stages: ${summary.stages.map(stage).join(' · ')}`);
  }
  if (summary.step !== null) {
    const loss = summary.finalLoss === null ? '' : `, last logged loss ${summary.finalLoss.toPrecision(6)}`;
    lines.push(`  training: step ${summary.step}${summary.totalSteps ? `/${summary.totalSteps}` : ''}${loss} (${summary.loggedSteps} lines in metrics.jsonl)`);
  }
  if (summary.checkpoints.length > 0) lines.push(`  checkpoints: ${summary.checkpoints.map((path) => displayPath(path)).join(', ')}`);
  for (const e of summary.evaluations) {
    lines.push(`  eval step ${e.step} (${e.split}): mean reward ${e.meanReward.toFixed(4)}, mean quantile ${e.meanQuantile.toFixed(4)}, KL k3/seq ${e.klPerSequence.toFixed(4)}`);
  }
  if (summary.error) lines.push(`  error: ${summary.error}`);
  if (summary.state === 'stopped' || summary.state === 'killed' || summary.state === 'failed') lines.push(`  resume with: qrpo resume ${displayPath(summary.runDir)}`);
  return lines.join('\n');
}
