// The Compare Runs panel in the webview: the comparison table above the overlaid curves of the same runs.
import type { ComparisonMessage } from '../../src/extension/panels/compareRuns/protocol';
import { adoptStyles } from '../shared/adoptStyles';
import { element } from '../shared/domElements';
import { connectCurves, sayReady } from '../trainingCurves/curvesConnection';
import { curvesCss } from '../trainingCurves/curvesStyles';
import { comparisonTableElement } from './comparisonTableView';

const tableCss = `
.compare-layout { display: flex; flex-wrap: wrap; align-items: flex-start; gap: 16px 24px; }
.compare-layout > .comparison-box { flex: 0 1 auto; max-width: 100%; overflow-x: auto; }
.compare-layout > .curves { flex: 1 1 520px; min-width: 0; }
.compare-layout .chart-grid { grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); }
.best-over-training { color: var(--vscode-descriptionForeground); font-weight: normal; font-size: 0.9em; }
table.comparison { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.comparison th, table.comparison td { padding: 3px 14px 3px 8px; text-align: left; border-bottom: 1px solid var(--vscode-panel-border, transparent); white-space: nowrap; }
table.comparison thead th { font-weight: 600; position: sticky; top: 0; background: var(--vscode-editor-background); }
table.comparison thead th .swatch { margin-right: 6px; vertical-align: middle; }
table.comparison tr.section th { padding-top: 10px; color: var(--vscode-descriptionForeground); font-weight: 600; border-bottom: none; }
table.comparison .row-label { font-weight: normal; color: var(--vscode-descriptionForeground); }
table.comparison td.number { text-align: right; }
table.comparison td.best { font-weight: 700; color: var(--vscode-charts-green, var(--vscode-foreground)); }
table.comparison td.config { font-family: var(--vscode-editor-font-family); max-width: 360px; overflow: hidden; text-overflow: ellipsis; }
`;

export function mountCompareRuns(root: HTMLElement): void {
  adoptStyles(curvesCss + tableCss);
  const header = element('header');
  header.append(element('h1', 'Compare runs'));
  // The table sits beside the curves when the panel is wide enough, above them otherwise (flex-wrap).
  const layout = element('div', '', 'compare-layout');
  const tableBox = element('section', '', 'comparison-box');
  tableBox.append(element('p', 'Reading the runs…', 'message'));
  const curves = element('section', '', 'curves');
  layout.append(tableBox, curves);
  root.append(header, layout);
  connectCurves(curves, (raw) => {
    const message = asComparison(raw);
    if (message) tableBox.replaceChildren(comparisonTableElement(message.table));
  });
  sayReady();
}

function asComparison(value: unknown): ComparisonMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as { type?: unknown; table?: { runs?: unknown; config?: unknown; metrics?: unknown; evals?: unknown; evalSteps?: unknown } };
  const t = m.table;
  const ok = m.type === 'comparison' && t && [t.runs, t.config, t.metrics, t.evals, t.evalSteps].every(Array.isArray);
  return ok ? (m as ComparisonMessage) : undefined;
}
