import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { ExecutionProviderError, probeExecutionProvider, resolveExecutionProvider } from '../../../src/qrpo/runtime/providers';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { Graph, exp } from '../../../src/qrpo/graph';
import { webgpuAvailable } from './webgpu';

const cudaInstalled = ort.listSupportedBackends().some((b) => b.name === 'cuda' && b.bundled);
/** An environment in which the Vulkan loader finds no driver at all. */
const noVulkanDriver = { ...process.env, VK_ICD_FILENAMES: '/nonexistent/qrpo-test-icd.json' };

describe('execution provider choice', () => {
  test('cpu needs no probe and always resolves', async () => {
    assert.equal(await resolveExecutionProvider('cpu'), 'cpu');
  });

  test('cuda without its provider libraries says how onnxruntime-node fetches them', { skip: cudaInstalled && 'CUDA provider libraries are installed here' }, async () => {
    await assert.rejects(resolveExecutionProvider('cuda'), (e: unknown) => {
      assert.ok(e instanceof ExecutionProviderError);
      assert.equal(e.provider, 'cuda');
      assert.match(e.message, /^onnxruntime-node cannot use the cuda execution provider here: .*libonnxruntime_providers_cuda\.so.* not installed\. Available: cpu/);
      assert.match(e.message, /install script downloads them from NuGet/);
      assert.match(e.message, /ONNXRUNTIME_NODE_INSTALL=skip/);
      assert.match(e.message, /ONNXRUNTIME_NODE_INSTALL=cuda12 node \S+onnxruntime-node\/script\/install\.js/);
      return true;
    });
  });

  test('webgpu resolves where a Vulkan device exists (lavapipe in CI)', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    assert.equal(await resolveExecutionProvider('webgpu'), 'webgpu');
    // The verdict is cached: the second call starts no process.
    assert.equal(probeExecutionProvider('webgpu'), probeExecutionProvider('webgpu'));
  });

  test('webgpu without a Vulkan driver is refused with what to install, and the probing process survives', async () => {
    // The probe runs in a child process with this environment; Dawn fails there, not here.
    const probe = await probeExecutionProvider('webgpu', { env: noVulkanDriver });
    assert.equal(probe.usable, false);
    assert.match(probe.reason!, /Failed to get a WebGPU adapter: No supported adapters/);
    await assert.rejects(resolveExecutionProvider('webgpu', { env: noVulkanDriver }), (e: unknown) => {
      assert.ok(e instanceof ExecutionProviderError);
      assert.match(e.message, /^onnxruntime-node cannot use the webgpu execution provider here: Failed to get a WebGPU adapter/);
      assert.match(e.message, /install the GPU driver with Vulkan support/);
      assert.match(e.message, /lavapipe/);
      assert.match(e.message, /scripts\/install-lavapipe\.sh/);
      return true;
    });
  });

  test("'auto' takes cuda, then webgpu, then cpu, among those that work", async (t) => {
    const expected = cudaInstalled ? undefined : 'webgpu';
    if (expected === 'webgpu' && !(await webgpuAvailable(t))) return;
    if (expected) assert.equal(await resolveExecutionProvider('auto'), expected);
    if (!cudaInstalled) assert.equal(await resolveExecutionProvider('auto', { env: noVulkanDriver }), 'cpu');
  });

  test('GraphSession refuses an unusable provider with the same message', { skip: cudaInstalled && 'CUDA provider libraries are installed here' }, async () => {
    const g = new Graph();
    g.output('y', exp(g.input('x', 'float32', [2])));
    await assert.rejects(GraphSession.create(g, { executionProvider: 'cuda' }), /cannot use the cuda execution provider here: .*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });
});
