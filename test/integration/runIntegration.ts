// Runs the extension's integration suite (test/suite) in a real VS Code: code-server serves the workbench,
// headless Chromium loads it with the extension-test payload in the URL, and the suite's results come back
// through the smoke-test driver's codeAutomationLog / codeAutomationExit hooks. Prints the suite's output and
// ends with `integration: N passed, M failed`; exits non-zero on any failure, on zero tests, or on timeout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { fixtureDatasets, generateFixtureWorkspace } from '../fixtures/workspace/generateFixtureWorkspace';
import { CodeServer, startCodeServer, writeUserSettings } from './codeServer';
import { startDemoRuns } from './demoRuns';
import { runPackagedIntegration } from './packagedIntegration';
import { ScreenshotRequests } from './screenshotRequests';
import { answerWebviewFacts } from './webviewFacts';
import { acceptTrustPrompt, trustRequestMarker } from './workspaceTrustPrompt';

const overallTimeoutMs = 5 * 60_000;
const resultsPattern = /\[qrpo-results\] (\{.*\})/;
const suiteLinePrefix = '[qrpo-suite] ';
const verbose = process.env.QRPO_INTEGRATION_VERBOSE === '1';

interface SuiteResults {
  passed: number;
  failed: number;
}

/** The development suite's counts, and whether it ran cleanly (exit code 0, no failures, some tests). */
interface DevelopmentResults extends SuiteResults {
  ok: boolean;
}

// out/test/integration/runIntegration.js → the repository root.
const repoRoot = resolve(__dirname, '../../..');

async function main(): Promise<DevelopmentResults> {
  const started = Date.now();
  const cli = join(repoRoot, 'dist/cli.js');
  if (!existsSync(join(repoRoot, 'out/test/suite/index.js')) || !existsSync(join(repoRoot, 'dist/extension.js'))) {
    throw new Error('dist/ or out/test/ is missing: run `node scripts/build.mjs` first');
  }
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: the suite runs the real engine CLI; build it first');

  const temp = mkdtempSync(join(tmpdir(), 'qrpo-integration-'));
  const workspace = join(temp, 'workspace');
  await generateFixtureWorkspace(workspace);
  prepareWithRealCli(cli, join(workspace, fixtureDatasets.preparedUpFront));
  const userDataDir = join(temp, 'user-data');
  writeUserSettings(userDataDir, {
    // Trust stays on: the extension gates Prepare on it. The suite trusts the folder midway (workspaceTrustPrompt.ts).
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
  });

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The demo trains while code-server and Chromium start; the workbench opens the workspace once it is done.
  const demo = startDemoRuns(cli, workspace, verbose);
  try {
    server = await startCodeServer({
      repoRoot,
      userDataDir,
      extensionsDir: join(temp, 'extensions'),
      onOutput: (line) => verbose && console.log(`[code-server] ${line}`),
    });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (verbose) page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
    const screenshots = new ScreenshotRequests(join(repoRoot, 'test-results/screenshots'), page);
    let results: SuiteResults | undefined;

    // Both hooks must exist before the workbench loads: it looks them up on window when it logs or exits.
    const exited = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    await page.exposeFunction('codeAutomationLog', (_level: string, message: unknown) => {
      const text = String(message);
      if (verbose) console.log(`[workbench ${_level}] ${text}`);
      if (screenshots.handleLogLine(text)) return;
      if (answerWebviewFacts(page, text)) return;
      if (text.includes(trustRequestMarker)) void acceptTrustPrompt(page);
      const parsed = resultsPattern.exec(text);
      if (parsed) results = JSON.parse(parsed[1]) as SuiteResults;
      const suiteLine = text.indexOf(suiteLinePrefix);
      if (suiteLine >= 0) console.log(text.slice(suiteLine + suiteLinePrefix.length));
    });
    await demo.finished;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`integration: no result within ${overallTimeoutMs / 1000} s (the suite hung or the workbench never ran it; rerun with QRPO_INTEGRATION_VERBOSE=1)`)), overallTimeoutMs);
    });

    await page.goto(workbenchUrl(server.origin, workspace));
    const exitCode = await Promise.race([exited, timedOut]);
    await screenshots.settled();

    const passed = results?.passed ?? 0;
    const failed = results?.failed ?? (exitCode === 0 ? 0 : 1);
    console.log(`integration: extension host exited with code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return { passed, failed, ok: exitCode === 0 && failed === 0 && passed > 0 };
  } finally {
    clearTimeout(timer);
    demo.stop();
    await demo.finished.catch(() => undefined);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

/** The workbench URL with the extension-test payload; paths are on the server, hence vscode-remote URIs. */
function workbenchUrl(origin: string, workspace: string): string {
  const authority = new URL(origin).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${repoRoot}`],
    ['extensionTestsPath', `vscode-remote://${authority}${join(repoRoot, 'out/test/suite/index.js')}`],
  ];
  return `${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

function prepareWithRealCli(cli: string, dataset: string): void {
  const out = dataset.replace(/\.jsonl$/, '.prepared.jsonl');
  execFileSync(process.execPath, [cli, 'prepare', dataset, '--beta', '0.1', '--transform', 'identity', '--num-ref', '8', '--out', out], {
    stdio: verbose ? 'inherit' : 'ignore',
  });
  if (!existsSync(out)) throw new Error(`dist/cli.js prepare did not write ${out}`);
}


// Then the installed VSIX (packagedIntegration.ts), after the development window's server has stopped.
// QRPO_SKIP_PACKAGED_TEST=1 leaves it out of a local loop; `npm test` runs it.
main().then(
  async (development) => {
    const packaged = process.env.QRPO_SKIP_PACKAGED_TEST === '1' ? { passed: 0, failed: 0 } : await runPackagedIntegration(repoRoot);
    console.log(`integration: ${development.passed + packaged.passed} passed, ${development.failed + packaged.failed} failed`);
    process.exit(development.ok && packaged.failed === 0 ? 0 : 1);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    console.log('integration: 0 passed, 1 failed');
    process.exit(1);
  },
);
