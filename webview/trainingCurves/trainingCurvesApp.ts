// The Training Curves panel in the webview: one run's metrics, or several runs overlaid.
import { adoptStyles } from '../shared/adoptStyles';
import { element } from '../shared/domElements';
import { connectCurves, sayReady } from './curvesConnection';
import { curvesCss } from './curvesStyles';

export function mountTrainingCurves(root: HTMLElement): void {
  adoptStyles(curvesCss);
  const header = element('header');
  header.append(element('h1', 'Training curves'));
  root.append(header);
  connectCurves(root);
  sayReady();
}
