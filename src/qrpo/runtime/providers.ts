// Which onnxruntime execution provider to run on, and why one is unusable. A provider is tried for real (a tiny
// MatMul session, created and run) in a child Node process, because a broken GPU driver can abort the process
// that loads it rather than throw; the engine process only ever creates sessions on a provider that passed. The
// verdict is cached per process. Measured with onnxruntime-node 1.30 on Linux: without libvulkan, or with
// VK_ICD_FILENAMES pointing nowhere, Dawn throws "Failed to get a WebGPU adapter: No supported adapters" (no
// abort) and prints the loader's reason on stderr, which the probe passes on; without the CUDA provider libraries
// listSupportedBackends() reports cuda as not bundled, and no process is needed to say so.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { QrpoError } from '../errors';
import { Graph, add, encodeModel, matmul } from '../graph';

export type ExecutionProvider = 'cpu' | 'webgpu' | 'cuda';
export type ExecutionProviderChoice = ExecutionProvider | 'auto';

/** A provider this onnxruntime-node build or machine cannot use: the user picks another or installs its libraries. */
export class ExecutionProviderError extends QrpoError {
  constructor(
    readonly provider: ExecutionProvider,
    message: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

export interface ProviderProbe {
  readonly provider: ExecutionProvider;
  readonly usable: boolean;
  /** Why it is not usable: onnxruntime's or the driver's own words, shortened. */
  readonly reason?: string;
}

export interface ProbeOptions {
  /** Environment of the probe process (default: this process's). Results with an explicit env are not cached. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before a probe that hangs counts as unusable (default 120 s: lavapipe and CUDA start slowly). */
  timeoutMs?: number;
}

/** cuda first: when it works it is the fastest; webgpu next (any GPU with a Vulkan/D3D12/Metal driver); cpu always. */
const AUTO_ORDER: readonly ExecutionProvider[] = ['cuda', 'webgpu', 'cpu'];
const cache = new Map<ExecutionProvider, Promise<ProviderProbe>>();

/**
 * The provider to use for a user's choice: the named one if it works here (else an ExecutionProviderError saying
 * what to install), or for 'auto' the first usable of cuda, webgpu, cpu.
 */
export async function resolveExecutionProvider(choice: ExecutionProviderChoice, options: ProbeOptions = {}): Promise<ExecutionProvider> {
  if (choice !== 'auto') {
    await requireExecutionProvider(choice, options);
    return choice;
  }
  for (const provider of AUTO_ORDER) {
    if ((await probeExecutionProvider(provider, options)).usable) return provider;
  }
  return 'cpu';
}

/** Throws an ExecutionProviderError with an install hint unless `provider` runs a session here. */
export async function requireExecutionProvider(provider: ExecutionProvider, options: ProbeOptions = {}): Promise<void> {
  const probe = await probeExecutionProvider(provider, options);
  if (!probe.usable) throw providerError(provider, probe.reason ?? 'it failed to start');
}

/** Whether `provider` can create and run a session on this machine, and if not, why. */
export function probeExecutionProvider(provider: ExecutionProvider, options: ProbeOptions = {}): Promise<ProviderProbe> {
  if (provider === 'cpu') return Promise.resolve({ provider, usable: true });
  if (options.env) return probe(provider, options);
  let result = cache.get(provider);
  if (!result) {
    result = probe(provider, options);
    cache.set(provider, result);
  }
  return result;
}

/** The error for a provider that failed, worded for the person who chose it. */
export function providerError(provider: ExecutionProvider, reason: string): ExecutionProviderError {
  const others = bundledProviders().filter((p) => p !== provider);
  return new ExecutionProviderError(
    provider,
    `onnxruntime-node cannot use the ${provider} execution provider here: ${reason}. Available: ${others.join(', ')}`,
    providerHint(provider),
  );
}

/** What to install or set so that `provider` works (platform-specific where it matters). */
export function providerHint(provider: ExecutionProvider): string | undefined {
  if (provider === 'webgpu') {
    if (process.platform === 'linux') {
      return (
        'WebGPU runs on Vulkan on Linux: install the GPU driver with Vulkan support (NVIDIA driver, or Mesa ' +
        '`mesa-vulkan-drivers` and `libvulkan1` for AMD/Intel). On a headless machine without a GPU, Mesa lavapipe ' +
        '(software Vulkan, Mesa 23 or newer; Debian bookworm-backports has 25.x) works: scripts/install-lavapipe.sh ' +
        'installs it under .cache/ and writes an env.sh that sets VK_ICD_FILENAMES and LD_LIBRARY_PATH. Or choose the cpu provider'
      );
    }
    return 'WebGPU needs a GPU driver with Direct3D 12 (Windows) or Metal (macOS); update the GPU driver, or choose the cpu provider';
  }
  if (provider === 'cuda') {
    return (
      `CUDA needs onnxruntime's CUDA provider libraries in ${ortBinaryFolder()}: onnxruntime-node's install script ` +
      'downloads them from NuGet (Microsoft.ML.OnnxRuntime.Gpu.Linux) when the package is installed, but ' +
      'ONNXRUNTIME_NODE_INSTALL=skip or --ignore-scripts skips that, and a VSIX never runs it. ' +
      `${cudaFetchHint()}, with the NVIDIA driver, CUDA 12 runtime and cuDNN 9 libraries on the library path. ` +
      'Or choose webgpu or cpu'
    );
  }
  return undefined;
}

/** How to fetch the CUDA provider libraries: the package's own install script where it ships (an npm install). */
function cudaFetchHint(): string {
  const script = join(ortPackageFolder(), 'script', 'install.js');
  if (existsSync(script)) return `Fetch them with \`ONNXRUNTIME_NODE_INSTALL=cuda12 node ${script}\` (needs network)`;
  // An installed VSIX carries no install script: the libraries come from the onnxruntime-gpu release of the same version.
  return `Copy libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so from the onnxruntime-gpu release matching onnxruntime-node into ${ortBinaryFolder()}`;
}

function bundledProviders(): string[] {
  return ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name);
}

function ortPackageFolder(): string {
  return join(dirname(require.resolve('onnxruntime-node')), '..');
}

/** Where onnxruntime-node loads native libraries from (and where its install script puts the CUDA ones). */
function ortBinaryFolder(): string {
  return join(ortPackageFolder(), 'bin', 'napi-v6', process.platform, process.arch);
}

async function probe(provider: ExecutionProvider, options: ProbeOptions): Promise<ProviderProbe> {
  const backend = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!backend) return { provider, usable: false, reason: `this onnxruntime-node build (${process.platform}-${process.arch}) does not include it` };
  if (!backend.bundled) {
    // Not shipped in the npm package; present only if the install script (or the user) put the libraries there.
    const missing = ['libonnxruntime_providers_shared.so', `libonnxruntime_providers_${provider}.so`].filter((f) => !existsSync(join(ortBinaryFolder(), f)));
    if (missing.length > 0) return { provider, usable: false, reason: `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not installed` };
  }
  return probeInChild(provider, options);
}

// The child loads onnxruntime-node by absolute path (the engine may be bundled anywhere), creates the probe session
// and runs it once: shader compilation and device memory are part of what has to work. One JSON line comes back.
const PROBE_SCRIPT = `
const ort = require(process.argv[1]);
const [provider, model] = [process.argv[2], Buffer.from(process.argv[3], 'base64')];
const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
(async () => {
  const session = await ort.InferenceSession.create(model, { executionProviders: [provider], intraOpNumThreads: 1 });
  const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]);
  const { y } = await session.run({ x });
  const expected = [8, 11, 16, 23];
  if (!expected.every((v, i) => y.data[i] === v)) throw new Error('the probe MatMul returned wrong values: ' + Array.from(y.data).join(', '));
  await session.release();
  say({ usable: true });
})().catch((e) => say({ usable: false, reason: String(e && e.message || e) }));
`;

function probeModel(): string {
  const g = new Graph();
  const x = g.input('x', 'float32', [2, 2]);
  g.output('y', add(matmul(x, x), 1));
  return Buffer.from(encodeModel(g, { name: 'qrpo_provider_probe' })).toString('base64');
}

function probeInChild(provider: ExecutionProvider, options: ProbeOptions): Promise<ProviderProbe> {
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  // Inside the VS Code extension host process.execPath is Electron; this makes it behave as plain Node.
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  const args = ['-e', PROBE_SCRIPT, require.resolve('onnxruntime-node'), provider, probeModel()];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      const verdict = lastJsonLine(stdout);
      if (verdict?.usable) return resolve({ provider, usable: true });
      const driver = driverMessages(stderr);
      let reason: string;
      if (verdict) reason = shortenOrtMessage(String(verdict.reason));
      else if (error && (error as { killed?: boolean }).killed) reason = `a test session did not finish within ${(options.timeoutMs ?? 120_000) / 1000} s`;
      else if (error?.signal) reason = `a test session crashed the process that tried it (${error.signal})`;
      else reason = `a test session failed (exit code ${error?.code ?? 'unknown'})`;
      resolve({ provider, usable: false, reason: driver ? `${reason} (${driver})` : reason });
    });
  });
}

function lastJsonLine(stdout: string): { usable: boolean; reason?: string } | undefined {
  const line = stdout.trim().split('\n').pop();
  if (!line?.startsWith('{')) return undefined;
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** `…/webgpu_context.cc:136 …::<lambda()> adapter_result.status == … was false. Failed to get a WebGPU adapter: No supported adapters` → the last sentence. */
function shortenOrtMessage(message: string): string {
  const first = message.split('\n')[0].trim();
  const sentence = /was false\. (.+)$/.exec(first)?.[1] ?? first.replace(/^\/onnxruntime_src\/\S+ \S+ /, '');
  return sentence.replace(/\.$/, '');
}

/** Dawn's and the Vulkan loader's warnings say what was missing (`Couldn't load Vulkan: libvulkan.so.1: …`). */
function driverMessages(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(Warning|Error):/.test(l) && !/artificially reduced/.test(l))
    .map((l) => l.replace(/^(Warning|Error):\s*/, ''));
  return lines.length > 0 ? [...new Set(lines)].slice(0, 3).join('; ') : undefined;
}
