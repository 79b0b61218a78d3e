// The run Quantile Rewards panel in the webview: three histograms of quantiles (the dataset's completions, the
// reference samples against each other, and the selected checkpoint's samples, chosen with a slider where step 0
// is the model before training), each with the Uniform density and the target curve. Redraws on theme changes.
import {
  RunQuantilesPart,
  type RunQuantilesDataMessage,
  type RunQuantilesPanelState,
  type SelectStepMessage,
} from '../../src/extension/panels/quantileRewards/runQuantilesProtocol';
import { chartFigure, element, exportButtons, formatNumber, stepName } from '../results/dom';
import { meanOf } from '../results/quantileBins';
import { Chart } from '../results/registeredChart';
import { reportRendered, resultsShell } from '../results/resultsShell';
import { readChartTheme } from '../theme';
import { postToHost, saveState } from '../vscodeApi';
import { asRunQuantilesHostMessage } from './runHostMessageGuard';
import { quantileChartConfig, type QuantileChart } from './runQuantileCharts';

export function mountRunQuantileRewards(root: HTMLElement): void {
  const shell = resultsShell(root, 'Quantile rewards', 'quantileRewards');
  const targetLine = element('p', '', 'hint');

  const datasetCanvas = document.createElement('canvas');
  const referenceCanvas = document.createElement('canvas');
  const checkpointCanvas = document.createElement('canvas');
  const dataset = chartFigure('Dataset completions', '', datasetCanvas);
  const reference = chartFigure('Reference samples, leave-one-out: should be uniform', '', referenceCanvas);
  const checkpoint = chartFigure('Checkpoint samples', '', checkpointCanvas);

  const slider = element('input');
  slider.type = 'range';
  slider.min = '0';
  slider.step = '1';
  slider.setAttribute('aria-label', 'Checkpoint');
  const stepLabel = element('span', '', 'step-label');
  const sliderLabel = element('label', 'Checkpoint');
  sliderLabel.append(slider, stepLabel);
  const toolbar = element('div', '', 'toolbar');
  toolbar.append(sliderLabel);
  checkpoint.figure.insertBefore(toolbar, checkpoint.figure.children[1]);

  const grid = element('div', '', 'chart-grid');
  grid.append(dataset.figure, reference.figure, checkpoint.figure);
  const section = element('section', '', 'block');
  const sectionHeading = element('h2', 'Quantiles against the reference');
  sectionHeading.append(exportButtons('quantiles', 'every quantile'));
  section.append(sectionHeading, targetLine, grid);
  section.hidden = true;
  shell.append(section);

  let data: RunQuantilesDataMessage | undefined;
  let step: number | undefined;
  const charts = new Map<string, QuantileChart>();

  const draw = (name: string, canvas: HTMLCanvasElement, config: ReturnType<typeof quantileChartConfig> | undefined, figure: HTMLElement) => {
    charts.get(name)?.destroy();
    charts.delete(name);
    figure.hidden = !config;
    if (config) charts.set(name, new Chart(canvas, config) as QuantileChart);
  };

  function drawCheckpoint(): void {
    if (!data) return;
    const theme = readChartTheme();
    const steps = data.checkpoints.map((c) => c.step);
    const index = step === undefined ? steps.length - 1 : Math.max(0, steps.indexOf(step));
    const shown = data.checkpoints[index];
    step = shown?.step;
    slider.max = String(Math.max(0, steps.length - 1));
    slider.value = String(Math.max(0, index));
    slider.disabled = steps.length < 2;
    stepLabel.textContent = shown ? stepName(shown.step) : 'none';
    checkpoint.hint.textContent = shown
      ? `${shown.quantiles.length} samples, mean quantile ${formatNumber(meanOf(shown.quantiles), 3)} (0.5: no better than π_ref).`
      : 'No evaluated checkpoint yet.';
    draw(
      'checkpoint',
      checkpointCanvas,
      shown && quantileChartConfig({ values: shown.quantiles, levels: data.evalLevels, label: stepName(shown.step), colour: theme.primary, uniformLabel: 'π_ref (uniform)', target: data.target }, theme),
      checkpoint.figure,
    );
    checkpoint.figure.hidden = false;
    if (data) saveState<RunQuantilesPanelState>({ run: data.header.run, view: { step } });
    const shownStep = step ?? -1;
    reportRendered(RunQuantilesPart.checkpoint, shownStep);
  }

  function drawAll(): void {
    if (!data) return;
    const theme = readChartTheme();
    const d = data;
    dataset.hint.textContent = d.dataset
      ? `${d.dataset.quantiles.length} records of ${d.dataset.source}, mean quantile ${formatNumber(meanOf(d.dataset.quantiles), 3)}. Mass on the right: the data beats π_ref.`
      : '';
    draw(
      'dataset',
      datasetCanvas,
      d.dataset && quantileChartConfig({ values: d.dataset.quantiles, levels: d.dataset.levels, label: 'dataset', colour: theme.primary, uniformLabel: 'π_ref (uniform)', target: d.target }, theme),
      dataset.figure,
    );
    reference.hint.textContent = d.reference
      ? `${d.reference.quantiles.length} samples of ${d.reference.prompts} prompts (${d.reference.source}), each against the others of its prompt. Mean ${formatNumber(meanOf(d.reference.quantiles), 3)}, expected 0.5. Bumps mean tied rewards or a sampling mismatch.`
      : '';
    draw(
      'reference',
      referenceCanvas,
      d.reference && quantileChartConfig({ values: d.reference.quantiles, levels: d.reference.levels, label: 'reference samples', colour: theme.secondary, uniformLabel: 'uniform (expected)' }, theme),
      reference.figure,
    );
    drawCheckpoint();
    const count = charts.size;
    reportRendered(RunQuantilesPart.charts, count);
  }

  slider.addEventListener('input', () => {
    const chosen = data?.checkpoints[Number(slider.value)];
    if (!chosen) return;
    step = chosen.step;
    postToHost<SelectStepMessage>({ type: 'selectStep', step });
    drawCheckpoint();
  });

  shell.connect(
    asRunQuantilesHostMessage,
    (m) => {
      data = m;
      step = m.view.step;
      shell.showRuns([m.header]);
      shell.showNotes(m.notes);
      section.hidden = false;
      const t = m.target;
      targetLine.textContent = t
        ? `Target f(q) − β·log Z on the right axis: f = ${t.transform}, β = ${t.beta}, log Z = ${t.logZ.toPrecision(8)} (from ${t.logZSource}).${t.note ? ` ${t.note}` : ''}`
        : '';
      drawAll();
    },
    drawAll,
  );
}
