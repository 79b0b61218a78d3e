// Which metrics get a chart: a filterable list of every metric the runs logged, with checkboxes. Chosen metrics
// keep the order they were chosen in; the defaults (TRL's and the QRPO trainer's headline metrics) come first.
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { element } from '../shared/domElements';

export const defaultMetrics = [
  'loss',
  'grad_norm',
  'learning_rate',
  'rewards/margins',
  'percentile_rewards/chosen',
  'percentile_rewards/rejected',
  'modified_rewards/beta_logZ',
];

/** The defaults that exist, else the first few metrics, so a run with unusual names still shows something. */
export function defaultSelection(available: readonly string[]): string[] {
  const present = defaultMetrics.filter((m) => available.includes(m));
  return present.length ? present : available.slice(0, 4);
}

export class MetricPicker {
  readonly element: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly list: HTMLElement;
  private readonly filter: HTMLInputElement;
  private available: readonly string[] = [];
  private selected: readonly string[] = [];

  constructor(private readonly onChange: (metrics: string[]) => void) {
    this.element = element('details', '', 'metric-picker');
    this.summary = element('summary');
    this.filter = element('vscode-textfield') as unknown as HTMLInputElement;
    this.filter.setAttribute('placeholder', 'Filter metrics (e.g. rewards/)');
    this.filter.setAttribute('aria-label', 'Filter metrics');
    this.filter.addEventListener('input', () => this.renderList());
    this.list = element('div', '', 'metric-list');
    this.element.append(this.summary, this.filter, this.list);
  }

  update(available: readonly string[], selected: readonly string[]): void {
    this.available = available;
    this.selected = selected;
    this.summary.textContent = `Metrics: ${selected.length} of ${available.length} shown`;
    this.renderList();
  }

  private renderList(): void {
    const query = (this.filter.value ?? '').trim().toLowerCase();
    const shown = this.available.filter((name) => name.toLowerCase().includes(query));
    this.list.replaceChildren(
      ...shown.map((name) => {
        const box = element('vscode-checkbox') as HTMLElement & { checked: boolean };
        box.setAttribute('label', name);
        box.dataset.metric = name;
        box.checked = this.selected.includes(name);
        box.addEventListener('change', () => this.toggle(name, box.checked));
        return box;
      }),
    );
    if (shown.length === 0) this.list.append(element('span', 'No metric matches.', 'hint'));
  }

  private toggle(name: string, on: boolean): void {
    const next = on ? [...this.selected.filter((m) => m !== name), name] : this.selected.filter((m) => m !== name);
    this.onChange(next);
  }
}
