// Layout of the curves panels. Colours are the --vscode-* variables the webview host sets, so the panels follow
// the colour theme; the charts read the same variables from script (webview/theme.ts).
export const curvesCss = `
body {
  padding: 0 20px 20px;
  color: var(--vscode-foreground);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size);
}
header { display: flex; align-items: center; gap: 8px; margin: 14px 0 8px; }
header h1 { font-size: 1.3em; font-weight: 600; margin: 0; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 20px; margin-bottom: 8px; }
.toolbar label { display: inline-flex; align-items: center; gap: 8px; color: var(--vscode-descriptionForeground); }
.toolbar vscode-single-select { width: 190px; }
.toolbar input[type=range] { width: 180px; accent-color: var(--vscode-focusBorder); }
.smoothing-value { font-variant-numeric: tabular-nums; color: var(--vscode-foreground); min-width: 3ch; }
.metric-picker { margin: 4px 0 8px; }
.metric-picker summary { cursor: pointer; color: var(--vscode-textLink-foreground); margin-bottom: 6px; }
.metric-picker vscode-textfield { width: 320px; margin-bottom: 6px; }
.metric-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 2px 16px; max-height: 220px; overflow: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0 12px; max-height: 120px; overflow: auto; }
.run-chip {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 8px; cursor: pointer;
  font: inherit; color: var(--vscode-foreground); background: transparent;
  border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 10px;
}
.run-chip:hover { background: var(--vscode-list-hoverBackground); }
.run-chip:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.run-chip.off { opacity: 0.45; text-decoration: line-through; }
.swatch { width: 14px; height: 4px; border-radius: 1px; display: inline-block; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; }
figure.curve { margin: 0; padding: 10px 12px; border: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); border-radius: 4px; min-width: 0; }
figure.curve figcaption { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-bottom: 6px; font-weight: 600; }
.metric-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.export-actions { display: inline-flex; gap: 4px; }
button.export {
  font: inherit; font-size: 0.8em; font-weight: normal; padding: 1px 6px; cursor: pointer; border-radius: 2px;
  color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); border: none;
}
button.export:hover { background: var(--vscode-button-secondaryHoverBackground); }
.chart-box { position: relative; height: 240px; }
.hint { color: var(--vscode-descriptionForeground); font-weight: normal; }
.message { color: var(--vscode-descriptionForeground); }
[hidden] { display: none !important; }
`;
