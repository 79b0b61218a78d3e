// Gate for the tests that need WebGPU. Without a GPU they run on Mesa lavapipe (software Vulkan), which
// scripts/install-lavapipe.sh puts in .cache/ and `npm test` (scripts/test.mjs) points VK_ICD_FILENAMES and
// LD_LIBRARY_PATH at. Where WebGPU cannot start these tests fail, saying how to fix it, unless QRPO_SKIP_WEBGPU=1
// is set: then they are skipped (for machines where installing lavapipe is not an option).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { probeExecutionProvider } from '../../../src/qrpo/runtime/providers';

/** True when WebGPU works; false (test skipped) when it does not and QRPO_SKIP_WEBGPU=1; otherwise fails the test. */
export async function webgpuAvailable(t: TestContext): Promise<boolean> {
  const probe = await probeExecutionProvider('webgpu');
  if (probe.usable) return true;
  if (process.env.QRPO_SKIP_WEBGPU === '1') {
    t.skip(`WebGPU unavailable (${probe.reason}); skipped because QRPO_SKIP_WEBGPU=1`);
    return false;
  }
  assert.fail(
    `WebGPU is unavailable here: ${probe.reason}. Run scripts/install-lavapipe.sh (software Vulkan; npm test then sets ` +
      'VK_ICD_FILENAMES and LD_LIBRARY_PATH, or source .cache/lavapipe-bookworm-backports/env.sh), or set QRPO_SKIP_WEBGPU=1 to skip WebGPU tests',
  );
}
