// Small DOM builders for the results panels: elements with text and classes, figures around chart canvases, export
// buttons and number formatting. Text always goes in through textContent, never innerHTML: the panels show text
// from files (prompts, completions) that must not become markup.
import type { ExportDataMessage, ExportFormat, LinkedPanel, OpenPanelMessage, RunHeader } from '../../src/extension/panels/results/commonProtocol';
import { element } from '../shared/domElements';
import { postToHost } from '../vscodeApi';

export { element };

/** A captioned chart box holding `canvas`. */
export function chartFigure(title: string, hint: string, canvas: HTMLCanvasElement, tall = false): { figure: HTMLElement; caption: HTMLElement; hint: HTMLElement } {
  const caption = element('figcaption', title);
  const hintElement = element('span', hint, 'hint');
  caption.append(hintElement);
  const box = element('div', '', tall ? 'chart-box tall' : 'chart-box');
  box.append(canvas);
  const figure = element('figure', '', 'chart');
  figure.append(caption, box);
  return { figure, caption, hint: hintElement };
}

/** "CSV" and "JSON" buttons that ask the host to save the data behind `what`; `prefix` names it where a heading has several. */
export function exportButtons(what: string, label: string, prefix = ''): HTMLElement {
  const box = element('span', '', 'export-actions');
  for (const format of ['csv', 'json'] as ExportFormat[]) {
    const button = element('button', `${prefix}${format.toUpperCase()}`, 'export');
    button.title = `Export ${label} as ${format.toUpperCase()}`;
    button.addEventListener('click', () => postToHost<ExportDataMessage>({ type: 'exportData', what, format }));
    box.append(button);
  }
  return box;
}

/** The panel's title line: the run's name and its method, β and transform. */
export function panelHeader(title: string): { header: HTMLElement; heading: HTMLElement; facts: HTMLElement; path: HTMLElement } {
  const header = element('header', '', 'panel-header');
  const heading = element('h1', title);
  const facts = element('span', '', 'run-facts');
  header.append(heading, facts);
  const path = element('p', '', 'file-path');
  return { header, heading, facts, path };
}

export function runFacts(run: RunHeader): string {
  return [run.lossType, run.beta === undefined ? undefined : `β = ${run.beta}`, run.transform ? `f = ${run.transform}` : undefined].filter(Boolean).join(' · ');
}

const LINKS: { panel: LinkedPanel; label: string }[] = [
  { panel: 'evaluation', label: 'Evaluation' },
  { panel: 'quantileRewards', label: 'Quantile rewards' },
  { panel: 'lengthBias', label: 'Length bias' },
  { panel: 'trainingCurves', label: 'Training curves' },
];

/** Links to the run's other panels; the current one is shown but not a link. */
export function panelLinks(current: LinkedPanel): HTMLElement {
  const nav = element('nav', '', 'links');
  for (const { panel, label } of LINKS) {
    const link = element('a', label, panel === current ? 'current' : '');
    if (panel !== current) {
      link.tabIndex = 0;
      link.setAttribute('role', 'button');
      const open = () => postToHost<OpenPanelMessage>({ type: 'openPanel', panel });
      link.addEventListener('click', open);
      link.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && open());
    }
    nav.append(link);
  }
  return nav;
}

export function notesList(notes: readonly string[]): HTMLElement {
  const list = element('ul', '', 'notes');
  for (const note of notes) list.append(element('li', note));
  list.hidden = notes.length === 0;
  return list;
}

/** A number for a table: 4 significant digits, exponent for very small or large, '–' for missing. */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3 || abs >= 1e6) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

/** Two animation frames: chart.js has drawn synchronously, and the browser has laid out and painted. */
export function afterPaint(callback: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(callback));
}

export function stepName(step: number): string {
  return step === 0 ? 'step 0 (before)' : `step ${step}`;
}
