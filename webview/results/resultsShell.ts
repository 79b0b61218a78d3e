// The frame the run results webviews share (Evaluation, Length Bias, run Quantile Rewards): the adopted styles, a
// header with the run's name, method and settings, its path, links to the run's other panels, notes, and a status
// line that reads "Loading…" until data arrives, or the host's load error. `connect` listens to the host through
// the panel's message guard, redraws on colour theme changes and says `ready` last, once every listener is in place.
import type { LinkedPanel, LoadErrorMessage, PanelRenderedMessage, ReadyMessage, RunHeader } from '../../src/extension/panels/results/commonProtocol';
import { adoptStyles } from '../shared/adoptStyles';
import { onThemeChange } from '../theme';
import { postToHost } from '../vscodeApi';
import { afterPaint, element, notesList, panelHeader, panelLinks, runFacts } from './dom';
import { resultsCss } from './resultsStyles';

export interface ResultsShell {
  /** Adds the panel's own sections below the header, the notes and the status line. */
  append(...sections: HTMLElement[]): void;
  /** One run: its name, facts, path and links to its other panels. Several: their names, and no links. */
  showRuns(runs: readonly RunHeader[]): void;
  showNotes(notes: readonly string[]): void;
  /**
   * Hands every valid host message but a load error to `onData`, calls `redraw` when the colour theme changes
   * (charts read their colours when drawn), and tells the host the webview is ready.
   */
  connect<Message extends { type: string }>(guard: (value: unknown) => Message | undefined, onData: (message: Exclude<Message, LoadErrorMessage>) => void, redraw?: () => void): void;
}

export function resultsShell(root: HTMLElement, title: string, panel: LinkedPanel): ResultsShell {
  adoptStyles(resultsCss);
  const { header, heading, facts, path } = panelHeader(title);
  const links = panelLinks(panel);
  let notes = notesList([]);
  const status = element('p', 'Loading…', 'message');
  root.append(header, path, links, notes, status);

  return {
    append: (...sections) => root.append(...sections),
    showRuns(runs) {
      const [only] = runs;
      heading.textContent = runs.length === 1 ? `${title}: ${only.name}` : `${title}: ${runs.length} runs`;
      facts.textContent = runs.length === 1 ? runFacts(only) : runs.map((r) => `${r.name}${r.lossType ? ` (${r.lossType})` : ''}`).join(' · ');
      path.textContent = runs.map((r) => r.displayPath).join(', ');
      links.hidden = runs.length !== 1;
    },
    showNotes(list) {
      const fresh = notesList(list);
      notes.replaceWith(fresh);
      notes = fresh;
    },
    connect(guard, onData, redraw) {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const message = guard(event.data);
        if (!message) return;
        if (message.type === 'loadError') {
          status.hidden = false;
          status.textContent = (message as unknown as LoadErrorMessage).message;
          status.classList.add('error');
          return;
        }
        status.hidden = true;
        onData(message as Exclude<typeof message, LoadErrorMessage>);
      });
      if (redraw) onThemeChange(redraw);
      postToHost<ReadyMessage>({ type: 'ready' });
    },
  };
}

/** Tells the host (and the tests waiting on it) that `what` shows `count` items, once the browser has painted it. */
export function reportRendered(what: string, count: number): void {
  afterPaint(() => postToHost<PanelRenderedMessage>({ type: 'rendered', what, count }));
}
