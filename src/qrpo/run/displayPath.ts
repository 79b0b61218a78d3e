// Paths in messages as the user would type them: relative to the working directory when inside it.
import { isAbsolute, relative, resolve } from 'node:path';

export function displayPath(path: string, cwd = process.cwd()): string {
  const shown = relative(cwd, resolve(path));
  return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? resolve(path) : shown;
}
