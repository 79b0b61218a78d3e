// The extension-test entry VS Code loads (`extensionTestsPath`): runs every bundled `*.test.js` beside it with
// mocha inside the extension host. Output goes through console.log, which the host forwards to the launcher's
// codeAutomationLog as one string per call, hence the formatting here and the `[qrpo-suite]` prefix that tells
// suite output from workbench chatter; the `[qrpo-results]` line carries the counts the launcher prints.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

// Workspace trust is granted once for the whole window (restrictedMode.test.js ends by granting it), so the suites
// that check Restricted Mode run first, in this order.
const runsFirst = ['trust.test.js', 'restrictedMode.test.js'];
const rank = (name: string) => (runsFirst.includes(name) ? runsFirst.indexOf(name) : runsFirst.length);

export async function run(): Promise<void> {
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    for (const line of format(...args).split('\n')) console.log(`[qrpo-suite] ${line}`);
  };
  const mocha = new Mocha({ ui: 'tdd', reporter: 'spec', color: false, timeout: 60_000 });
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const file of files) mocha.addFile(join(__dirname, file));

  const stats = await new Promise<{ passes: number; failures: number }>((resolve) => {
    const runner = mocha.run(() => resolve({ passes: runner.stats?.passes ?? 0, failures: runner.stats?.failures ?? 0 }));
  });
  console.log(`[qrpo-results] ${JSON.stringify({ passed: stats.passes, failed: stats.failures })}`);
  if (stats.failures > 0) throw new Error(`${stats.failures} integration tests failed`);
  if (stats.passes === 0) throw new Error(`no integration tests ran (looked for *.test.js in ${__dirname})`);
}
