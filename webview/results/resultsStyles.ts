// Layout shared by the results panels (Evaluation, run Quantile Rewards, Length Bias, Dataset Preview), adopted as a
// constructable stylesheet (not subject to the nonce style-src). Colours are the --vscode-* variables the webview
// host sets, so the panels follow the colour theme; charts read the same variables from script (webview/theme.ts).
export const resultsCss = `
body { padding: 0 20px 24px; color: var(--vscode-foreground); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
header.panel-header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; margin: 14px 0 4px; }
header.panel-header h1 { font-size: 1.3em; font-weight: 600; margin: 0; }
.run-facts { color: var(--vscode-descriptionForeground); }
.file-path { color: var(--vscode-descriptionForeground); margin: 0 0 8px; word-break: break-all; }
nav.links { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 0 0 12px; }
nav.links a { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
nav.links a:hover { text-decoration: underline; }
nav.links a.current { color: var(--vscode-foreground); font-weight: 600; cursor: default; text-decoration: none; }
.notes { margin: 0 0 10px; padding-left: 18px; color: var(--vscode-descriptionForeground); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px 20px; margin: 6px 0 10px; }
.toolbar label { display: inline-flex; align-items: center; gap: 8px; color: var(--vscode-descriptionForeground); }
.toolbar vscode-single-select { min-width: 150px; }
.toolbar vscode-textfield { width: 280px; }
.toolbar input[type=range] { width: 220px; accent-color: var(--vscode-focusBorder); }
.step-label { font-variant-numeric: tabular-nums; color: var(--vscode-foreground); min-width: 9ch; }
section.block { margin: 0 0 18px; }
section.block > h2 { font-size: 1.05em; font-weight: 600; margin: 10px 0 6px; display: flex; align-items: center; gap: 10px; }
.export-actions { display: inline-flex; gap: 4px; }
section.block > h2 > .export-actions:first-of-type { margin-left: auto; }
button.export {
  font: inherit; font-size: 0.8em; font-weight: normal; padding: 1px 6px; cursor: pointer; border-radius: 2px;
  color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none;
}
button.export:hover { background: var(--vscode-button-secondaryHoverBackground); }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 14px; }
figure.chart { margin: 0; padding: 10px 12px; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 4px; min-width: 0; }
figure.chart figcaption { margin-bottom: 6px; font-weight: 600; }
figure.chart figcaption .hint { display: block; font-weight: normal; color: var(--vscode-descriptionForeground); }
.chart-box { position: relative; height: 250px; }
.chart-box.tall { height: 340px; }
.hint { color: var(--vscode-descriptionForeground); font-weight: normal; }
.message { color: var(--vscode-descriptionForeground); }
.message.error, .problem { color: var(--vscode-errorForeground); }
.numbers { font-variant-numeric: tabular-nums; }
.table-scroll { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.data th, table.data td { text-align: right; padding: 3px 8px; border-bottom: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.3)); white-space: nowrap; }
table.data th { color: var(--vscode-descriptionForeground); font-weight: 600; position: sticky; top: 0; background: var(--vscode-editor-background); }
table.data th:first-child, table.data td:first-child, table.data td.text, table.data th.text { text-align: left; }
table.data td.text { white-space: normal; max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
table.data tr.best td { font-weight: 600; }
vscode-table { margin-bottom: 6px; }
vscode-table-cell.text { white-space: normal; }
.clip { display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; white-space: pre-wrap; word-break: break-word; }
vscode-table-row.selected { outline: 1px solid var(--vscode-focusBorder); }
.pager { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.pager .range { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.sample-detail { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin-top: 8px; }
.sample-detail pre { margin: 4px 0 0; padding: 8px; white-space: pre-wrap; word-break: break-word; max-height: 260px; overflow: auto;
  background: var(--vscode-textCodeBlock-background, rgba(128,128,128,0.1)); border-radius: 3px; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size, 12px); }
.series-list { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0 10px; max-height: 140px; overflow: auto; }
.series-chip { display: inline-flex; align-items: center; gap: 6px; padding: 2px 8px; cursor: pointer; font: inherit; color: var(--vscode-foreground);
  background: transparent; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 10px; }
.series-chip:hover { background: var(--vscode-list-hoverBackground); }
.series-chip:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.series-chip.off { opacity: 0.45; }
.swatch { width: 10px; height: 10px; border-radius: 50%; display: inline-block; }
.rows { display: grid; gap: 6px; }
.dataset-row { display: grid; grid-template-columns: 90px 1fr 1fr; gap: 10px; padding: 6px 8px; border: 1px solid var(--vscode-panel-border, rgba(128,128,128,0.3)); border-radius: 3px; }
.dataset-row.invalid { border-color: var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); }
.dataset-row .where { color: var(--vscode-descriptionForeground); font-variant-numeric: tabular-nums; }
.dataset-row pre { margin: 0; white-space: pre-wrap; word-break: break-word; max-height: 160px; overflow: auto; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size, 12px); }
.dataset-row .record { margin-bottom: 4px; }
.dataset-row .record .k { color: var(--vscode-descriptionForeground); }
.problem-list { margin: 4px 0 10px; padding-left: 18px; max-height: 120px; overflow: auto; }
[hidden] { display: none !important; }
`;
