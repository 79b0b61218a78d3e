// glibc's malloc hands large freed blocks straight back to the kernel (its mmap and trim thresholds), so the fresh
// output arrays onnxruntime-node returns on every training step fault in new pages each time: about 200 ms a step at
// GPT-2 small (docs/benchmarks.md, "Where the time goes"). With these two settings freed memory stays in the heap and
// is reused, at the same peak RSS. glibc reads them once, at process start, so they belong in the environment of
// whatever process runs the engine: the extension's launcher sets them and the CLI restarts itself with them.

/** The settings measured in docs/benchmarks.md: blocks up to 32 MiB from the heap, and a heap that is never trimmed. */
export const TUNED_ALLOCATOR_ENVIRONMENT: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '33554432',
  MALLOC_TRIM_THRESHOLD_: '4294967296',
};

/**
 * The variables to add to `env` for an engine process: the tuned settings on Linux (glibc), none elsewhere, and none
 * that the user set already (a user's own value wins).
 */
export function engineAllocatorEnvironment(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): Record<string, string> {
  if (platform !== 'linux') return {};
  return Object.fromEntries(Object.entries(TUNED_ALLOCATOR_ENVIRONMENT).filter(([name]) => env[name] === undefined));
}
