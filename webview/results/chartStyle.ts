// Axis, legend and tooltip options shared by the results panels' charts, from the theme's colours; no animation,
// so a panel can report `rendered` once the final frame is drawn.
import type { ChartTheme } from '../theme';

export interface AxisSpec {
  readonly title: string;
  readonly type?: 'linear' | 'category';
  readonly min?: number;
  readonly max?: number;
  readonly position?: 'left' | 'right' | 'bottom';
  readonly beginAtZero?: boolean;
  readonly grid?: boolean;
}

export function axis(theme: ChartTheme, spec: AxisSpec): Record<string, unknown> {
  const font = { family: theme.fontFamily, size: theme.fontSize };
  return {
    ...(spec.type ? { type: spec.type } : {}),
    ...(spec.position ? { position: spec.position } : {}),
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.beginAtZero ? { beginAtZero: true } : {}),
    title: { display: true, text: spec.title, color: theme.mutedForeground, font },
    ticks: { color: theme.mutedForeground, font },
    grid: { color: theme.grid, display: spec.grid ?? true },
    border: { color: theme.grid },
  };
}

export function baseChartOptions(theme: ChartTheme, scales: Record<string, Record<string, unknown>>, legend = true): Record<string, unknown> {
  const font = { family: theme.fontFamily, size: theme.fontSize };
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    scales,
    plugins: {
      legend: { display: legend, labels: { color: theme.foreground, font, boxWidth: 14 } },
      tooltip: { titleFont: font, bodyFont: font },
    },
  };
}

/** #rrggbb → #rrggbbAA; other notations are returned as they are. */
export function translucent(colour: string, alpha = 0.5): string {
  const a = Math.round(alpha * 255).toString(16).padStart(2, '0');
  return /^#[0-9a-f]{6}$/i.test(colour) ? `${colour}${a}` : colour;
}
