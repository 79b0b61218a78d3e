// Chart colours from the --vscode-* variables the webview host sets on the page, re-read when the colour theme
// changes (the host then swaps the body's theme class and rewrites the variables on <html>).

export interface ChartTheme {
  readonly foreground: string;
  readonly mutedForeground: string;
  readonly grid: string;
  readonly primary: string;
  readonly secondary: string;
  readonly reference: string;
  readonly fontFamily: string;
  readonly fontSize: number;
}

export function readChartTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const css = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    foreground: css('--vscode-foreground', '#cccccc'),
    mutedForeground: css('--vscode-descriptionForeground', '#9d9d9d'),
    grid: css('--vscode-editorWidget-border', css('--vscode-panel-border', 'rgba(128, 128, 128, 0.35)')),
    primary: css('--vscode-charts-blue', '#3794ff'),
    secondary: css('--vscode-charts-purple', '#b180d7'),
    reference: css('--vscode-charts-orange', '#d18616'),
    fontFamily: css('--vscode-font-family', 'sans-serif'),
    fontSize: Number.parseFloat(css('--vscode-font-size', '13')) || 13,
  };
}

export function onThemeChange(listener: () => void): void {
  const observer = new MutationObserver(() => listener());
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}
