// `npm test`: builds, runs the unit tests with Node's test runner (one compute thread), then the integration tests
// in a real VS Code extension host (code-server, driven by headless Chromium). Ends with one line counting both;
// exits non-zero if either fails or if nothing ran.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const runUnit = !args.has('--integration');
const runIntegration = !args.has('--unit');
const threads = { OMP_NUM_THREADS: '1', QRPO_INTRA_OP_THREADS: '1' };

/** The software Vulkan device that WebGPU tests run on, when scripts/install-lavapipe.sh has installed it. */
function lavapipeEnvironment() {
  const folder = join(root, '.cache/lavapipe-bookworm-backports');
  if (!existsSync(join(folder, '.complete'))) return {};
  const libraries = join(folder, 'root/usr/lib/x86_64-linux-gnu');
  return {
    VK_ICD_FILENAMES: join(folder, 'root/usr/share/vulkan/icd.d/lvp_icd.json'),
    LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
}

function findTests(dir) {
  let found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found = found.concat(findTests(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found.sort();
}

/** Runs the unit tests; the spec report goes to the terminal, a TAP copy to a file whose totals we read. */
function unitTests() {
  const tap = join(root, 'out/unit-results.tap');
  const files = findTests(join(root, 'out/test/unit'));
  const status = spawnSync(process.execPath, [
    '--test', '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ], { cwd: root, stdio: 'inherit', env: { ...process.env, ...threads, ...lavapipeEnvironment() } }).status;
  const report = readFileSync(tap, 'utf8');
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(report)?.[1] ?? 0);
  const failed = count('fail') + count('cancelled');
  // A runner that crashed before reporting still failed.
  return { passed: count('pass'), failed: status !== 0 && failed === 0 ? 1 : failed };
}

/** Runs the integration launcher, echoing its output and reading its closing `integration: N passed, M failed`. */
function integrationTests() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'out/test/integration/runIntegration.js')], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...threads },
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk;
    });
    child.on('close', (code) => {
      const closing = /^integration: (\d+) passed, (\d+) failed$/m.exec(output);
      const failed = Number(closing?.[2] ?? 0);
      resolve({ passed: Number(closing?.[1] ?? 0), failed: code !== 0 && failed === 0 ? 1 : failed });
    });
  });
}

if (spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
mkdirSync(join(root, 'out'), { recursive: true });

const totals = { passed: 0, failed: 0 };
for (const [wanted, suite] of [[runUnit, unitTests], [runIntegration, integrationTests]]) {
  if (!wanted) continue;
  const { passed, failed } = await suite();
  totals.passed += passed;
  totals.failed += failed;
}
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
