// chart.js with what the results panels draw (bars, lines and scatters on linear and category scales, legends and
// tooltips), registered once: chart.js is tree-shaken, so nothing draws until it is registered.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip } from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

export { Chart };
