// Runs the extension bench in the real extension host, the way the integration tests run (code-server + headless
// Chromium + the smoke-test driver's extension-test hooks): the extension under development is the one run.mjs
// staged in bench/.out/extension/ext/, the "tests" are hostBench.js. Generates (or reuses) the many-runs workspace, answers the bench's page
// probes, prints its report with the machine it ran on, and leaves the numbers in bench/.out/extension/.
//   node bench/extension/run.mjs [--runs 200] [--steps 2000] [--compare 20] [--follow 10] [--rate 20] [--phase-seconds 15]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { codeServerFolder, startCodeServer, writeUserSettings, type CodeServer } from '../../test/integration/codeServer';
import { benchLinePrefix, configFileName, probePattern, resultsFileName, type HostBenchConfig, type ProbeRequest } from './benchConfig';
import { ensureBenchWorkspace } from './benchWorkspace';

// bench/.out/extension/launchHostBench.js → the repository root.
const repoRoot = resolve(__dirname, '../../..');
const outputFolder = __dirname;
const verbose = process.env.QRPO_INTEGRATION_VERBOSE === '1';
const timeoutMs = 10 * 60_000;

/** Which source the extension under test was built from: the commit, and whether src/ had changes on top. */
function label(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return `src/ at ${commit}${dirty ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'src/ (not a git checkout)';
  }
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<number> {
  const runs = option('runs', 200);
  const steps = option('steps', 2000);
  const started = Date.now();
  const temp = mkdtempSync(join(tmpdir(), 'qrpo-host-bench-'));
  const workspace = ensureBenchWorkspace(outputFolder, { runs, steps }, process.pid);
  console.log(`bench: workspace ${workspace.root} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const config: HostBenchConfig = {
    runs,
    steps,
    compare: option('compare', 20),
    follow: option('follow', 10),
    rate: option('rate', 20),
    phaseSeconds: option('phase-seconds', 15),
    ownerPid: process.pid,
    writer: join(outputFolder, 'metricsWriter.js'),
    outputFolder,
    probeFolder: join(temp, 'probes'),
    label: label(),
  };
  writeFileSync(join(workspace.root, '..', configFileName), JSON.stringify(config, null, 2));
  rmSync(join(outputFolder, resultsFileName), { force: true });
  mkdirSync(config.probeFolder, { recursive: true });
  printMachine();

  const userDataDir = join(temp, 'user-data');
  writeUserSettings(userDataDir, {
    'security.workspace.trust.enabled': false,
    // The 180 MB of run folders are not source: keep VS Code's own search and git off them, as a user would.
    'git.enabled': false,
  });
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({ repoRoot, userDataDir, extensionsDir: join(temp, 'extensions'), onOutput: (line) => verbose && console.log(`[code-server] ${line}`) });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    if (verbose) page.on('console', (message) => console.log(`[page ${message.type()}] ${message.text()}`));
    const exited = new Promise<number>((resolveExit) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    });
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = String(message);
      if (verbose) console.log(`[workbench ${level}] ${text}`);
      const shot = /\[qrpo-bench-screenshot\] ([\w.-]+)/.exec(text)?.[1];
      if (shot) void page.screenshot({ path: join(outputFolder, `${shot}.png`) }).catch(() => undefined);
      const probe = probePattern.exec(text)?.[1];
      if (probe) void answerProbe(page, JSON.parse(probe) as ProbeRequest);
      const line = text.indexOf(benchLinePrefix);
      if (line >= 0) console.log(text.slice(line + benchLinePrefix.length));
      if (level === 'error' && /Error|failed/.test(text) && !verbose) console.error(`[workbench] ${text.slice(0, 500)}`);
    });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bench: no result within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const authority = new URL(server.origin).host;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${authority}${join(outputFolder, 'ext')}`],
      ['extensionTestsPath', `vscode-remote://${authority}${join(outputFolder, 'hostBench.js')}`],
    ];
    await page.goto(`${server.origin}/?folder=${encodeURIComponent(workspace.root)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const code = await Promise.race([exited, timedOut]);
    console.log(`bench: extension host exited with code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s; numbers in ${join(outputFolder, resultsFileName)}`);
    return code;
  } finally {
    clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server?.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Page side of pageProbe.ts: a MutationObserver notes when a visible side bar row with the text appears. */
async function answerProbe(page: Page, request: ProbeRequest): Promise<void> {
  try {
    if (request.action === 'arm') {
      const alreadyVisible = await page.evaluate(({ id, text }) => {
        const probes = ((window as unknown as { qrpoProbes?: Record<number, Promise<number>> }).qrpoProbes ??= {});
        const visible = () =>
          [...document.querySelectorAll('.part.sidebar .monaco-list-row')].some((row) => row.getClientRects().length > 0 && (row.textContent ?? '').includes(text));
        const before = visible();
        probes[id] = new Promise<number>((resolveProbe) => {
          const observer = new MutationObserver(() => {
            if (!visible()) return;
            observer.disconnect();
            resolveProbe(Date.now());
          });
          observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        });
        return before;
      }, request);
      if (alreadyVisible) {
        console.error(`bench: probe ${request.id}: "${request.text}" was visible before the action; its timing is meaningless`);
        await page.screenshot({ path: join(outputFolder, `probe-${request.id}-before.png`) });
      }
      writeFileSync(`${request.file}.armed`, '');
      return;
    }
    const at = await page.evaluate(
      (id) => Promise.race([(window as unknown as { qrpoProbes: Record<number, Promise<number>> }).qrpoProbes[id], new Promise<number>((r) => setTimeout(() => r(-1), 30_000))]),
      request.id,
    );
    writeFileSync(request.file, JSON.stringify(at < 0 ? { error: `"${request.text}" never appeared` } : { at }));
  } catch (error) {
    writeFileSync(request.file, JSON.stringify({ error: String(error) }));
  }
}

function printMachine(): void {
  const cpu = cpus();
  console.log(`bench: machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} logical CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} free), load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`bench: ${basename(codeServerFolder(repoRoot))}, launcher Node ${process.version}; extension under test: ${label()}`);
}


main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
