// Entry of dist/webview.js, shared by every QRPO panel: the HTML shell names the app to mount in data-app.
// The CSP reporter is imported first so that it listens before any component or chart touches the page.
import './cspReporter';
import { mountQuantileRewards } from './quantileRewards/quantileRewardsApp';

const apps: Record<string, (root: HTMLElement) => void> = {
  quantileRewards: mountQuantileRewards,
};

const root = document.getElementById('app');
const mount = apps[document.body.dataset.app ?? ''];
if (root && mount) mount(root);
