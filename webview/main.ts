// Entry of dist/webview.js, shared by every QRPO panel: the HTML shell names the app to mount in data-app.
// The CSP reporter is imported first so that it listens before any component or chart touches the page.
import './cspReporter';
import { mountQuantileRewards } from './quantileRewards/quantileRewardsApp';
import { mountTrainingCurves } from './trainingCurves/trainingCurvesApp';
import { mountCompareRuns } from './compareRuns/compareRunsApp';
import { mountEvaluation } from './evaluation/evaluationApp';
import { mountRunQuantileRewards } from './quantileRewards/runQuantilesApp';
import { mountLengthBias } from './lengthBias/lengthBiasApp';
import { mountDatasetPreview } from './datasetPreview/datasetPreviewApp';

const apps: Record<string, (root: HTMLElement) => void> = {
  quantileRewards: mountQuantileRewards,
  trainingCurves: mountTrainingCurves,
  compareRuns: mountCompareRuns,
  evaluation: mountEvaluation,
  runQuantileRewards: mountRunQuantileRewards,
  lengthBias: mountLengthBias,
  datasetPreview: mountDatasetPreview,
};

const root = document.getElementById('app');
const mount = apps[document.body.dataset.app ?? ''];
if (root && mount) mount(root);
