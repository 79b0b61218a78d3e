// Wires a CurvesView to the host: says `ready`, applies snapshots and appends (asking for a resync on a gap),
// answers export requests, and reports renders and view changes. The view is saved with setState too, so the
// serializer can restore the panel with it after a reload. `other` receives host messages the curves do not
// handle (Compare Runs' table).
import type {
  CurvesPanelState,
  CurvesViewState,
  CurvesWebviewMessage,
  ExportFormat,
} from '../../src/extension/panels/trainingCurves/protocol';
import { onThemeChange } from '../theme';
import { postToHost, saveState } from '../vscodeApi';
import { CurvesView } from './curvesView';
import { asCurvesHostMessage } from './hostMessageGuard';

export function connectCurves(container: HTMLElement, other?: (message: unknown) => void): CurvesView {
  const send = (message: CurvesWebviewMessage) => postToHost(message);
  const save = (view: CurvesViewState) => saveState<CurvesPanelState>({ runs: curves.store.all().map((run) => run.id), view });
  const exportFile = (metric: string, format: ExportFormat, requestId?: number) => {
    const file = curves.exportChart(metric, format);
    if (file) send({ type: 'exportData', requestId, format, ...file });
  };
  const curves: CurvesView = new CurvesView(container, {
    onViewChange: (view) => {
      save(view);
      send({ type: 'viewChanged', view });
    },
    onRendered: (report) => send({ type: 'rendered', ...report }),
    onExportClicked: (metric, format) => exportFile(metric, format),
  });

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const receivedAt = performance.now();
    const message = asCurvesHostMessage(event.data);
    if (!message) {
      other?.(event.data);
      return;
    }
    switch (message.type) {
      case 'snapshot':
        curves.showSnapshot(message.runs, message.view, receivedAt);
        return;
      case 'append':
        if (!curves.append(message.run, message.start, message.metrics, receivedAt)) send({ type: 'resync' });
        return;
      case 'setView':
        curves.applyView(message.view);
        return;
      case 'exportRequest':
        exportFile(message.chart, message.format, message.requestId);
        return;
    }
  });
  onThemeChange(() => curves.restyle());
  return curves;
}

export function sayReady(): void {
  postToHost<CurvesWebviewMessage>({ type: 'ready' });
}
