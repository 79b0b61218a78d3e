// The Length Bias panel in the webview: chips to choose which (run, checkpoint) series to show (default: each run's
// last checkpoint), a split selector, the scatter with fit lines and ρ, and generation length over training.
// The host computed every fit; this module draws and tells the host what is shown so the view survives reloads.
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import {
  LengthBiasPart,
  type LengthBiasDataMessage,
  type LengthBiasPanelState,
  type LengthBiasSeries,
  type LengthBiasViewMessage,
  type LengthBiasViewState,
} from '../../src/extension/panels/lengthBias/protocol';
import type { SplitChoice } from '../../src/extension/panels/results/commonProtocol';
import { runColour } from '../shared/runColours';
import { chartFigure, element, exportButtons, stepName } from '../results/dom';
import { Chart } from '../results/registeredChart';
import { reportRendered, resultsShell } from '../results/resultsShell';
import { readChartTheme } from '../theme';
import { postToHost, saveState } from '../vscodeApi';
import { asLengthBiasHostMessage } from './hostMessageGuard';
import { lengthsConfig, scatterConfig } from './lengthBiasCharts';

export function mountLengthBias(root: HTMLElement): void {
  const shell = resultsShell(root, 'Length bias', 'lengthBias');
  const splitSelect = element('vscode-single-select') as HTMLElement & { value: string };
  for (const [value, label] of [
    ['all', 'All prompts'],
    ['selection', 'Selection split'],
    ['reporting', 'Reporting split'],
  ]) {
    const option = element('vscode-option', label);
    option.setAttribute('value', value);
    splitSelect.append(option);
  }
  const splitLabel = element('label', 'Split');
  splitLabel.append(splitSelect);
  const toolbar = element('div', '', 'toolbar');
  toolbar.append(splitLabel);
  const chips = element('div', '', 'series-list');

  const scatterCanvas = document.createElement('canvas');
  const lengthsCanvas = document.createElement('canvas');
  const scatter = chartFigure(
    'Implicit reward against standardised length',
    'Each point is one evaluation sample; dashed: least-squares line. ρ > 0: the policy rewards itself for length (the paper: DPO 0.49, SimPO 0.37, REBEL −0.14, QRPO −0.16).',
    scatterCanvas,
    true,
  );
  const lengths = chartFigure('Generation length over training', 'Mean completion length of each evaluated checkpoint; dotted: the reference samples’ mean.', lengthsCanvas);

  const scatterHeading = element('h2', 'Length against implicit reward');
  scatterHeading.append(exportButtons('points', 'the scatter points', 'points '), exportButtons('fits', 'the fits', 'fits '));
  const lengthsHeading = element('h2', 'Generation length');
  lengthsHeading.append(exportButtons('lengths', 'mean lengths per checkpoint'));
  const body = element('section', '', 'block');
  body.append(scatterHeading, toolbar, chips, scatter.figure, lengthsHeading, lengths.figure);
  body.hidden = true;
  shell.append(body);

  let data: LengthBiasDataMessage | undefined;
  let view: LengthBiasViewState = { split: 'all' };
  let charts: Chart[] = [];

  const shownKeys = (d: LengthBiasDataMessage): Set<string> => {
    if (view.shown) return new Set(view.shown);
    const lastOfRun = new Map<string, LengthBiasSeries>();
    for (const s of d.series) if (!lastOfRun.has(s.run) || lastOfRun.get(s.run)!.step < s.step) lastOfRun.set(s.run, s);
    return new Set([...lastOfRun.values()].map((s) => s.key));
  };

  const changeView = (changes: Partial<LengthBiasViewState>) => {
    view = { ...view, ...changes };
    if (data) saveState<LengthBiasPanelState>({ runs: data.runs.map((r) => r.run), view });
    postToHost<LengthBiasViewMessage>({ type: 'view', view });
    draw();
  };

  function draw(): void {
    if (!data) return;
    const d = data;
    charts.forEach((c) => c.destroy());
    const theme = readChartTheme();
    const shown = shownKeys(d);
    chips.replaceChildren(
      ...d.series.map((s) => {
        const chip = element('button', '', shown.has(s.key) ? 'series-chip' : 'series-chip off');
        const swatch = element('span', '', 'swatch');
        swatch.style.background = runColour(s.run);
        chip.append(swatch, document.createTextNode(`${s.runName} · ${stepName(s.step)}`));
        chip.setAttribute('aria-pressed', String(shown.has(s.key)));
        chip.addEventListener('click', () => {
          const next = new Set(shown);
          if (next.has(s.key)) next.delete(s.key);
          else next.add(s.key);
          changeView({ shown: [...next] });
        });
        return chip;
      }),
    );
    const visible = d.series.filter((s) => shown.has(s.key));
    const stepsOfRun = new Map<string, number[]>();
    for (const s of d.series) stepsOfRun.set(s.run, [...(stepsOfRun.get(s.run) ?? []), s.step]);
    const stepIndexOf = (s: LengthBiasSeries) => (stepsOfRun.get(s.run) ?? []).indexOf(s.step);
    charts = [new Chart(scatterCanvas, scatterConfig(visible, view.split, theme, stepIndexOf)) as Chart, new Chart(lengthsCanvas, lengthsConfig(d.lengths, theme)) as Chart];
    const points = visible.reduce((n, s) => n + s.x.length, 0);
    const runs = d.lengths.length;
    reportRendered(LengthBiasPart.scatter, points);
    reportRendered(LengthBiasPart.lengths, runs);
  }

  splitSelect.addEventListener('change', () => changeView({ split: splitSelect.value as SplitChoice }));

  shell.connect(
    asLengthBiasHostMessage,
    (m) => {
      data = m;
      view = m.view;
      saveState<LengthBiasPanelState>({ runs: m.runs.map((r) => r.run), view });
      shell.showRuns(m.runs);
      shell.showNotes(m.notes);
      body.hidden = false;
      splitSelect.value = view.split;
      draw();
    },
    draw,
  );
}
