// Where a position sits in a block-style YAML run config: the chain of parent keys (by indentation) and the keys
// already present at that level. Enough for completion and hovers on the configs New Run writes and people edit;
// flow collections ({…}, […]) and multi-document files are not run configs and are not handled.

export interface YamlPosition {
  /** Keys of the enclosing mappings, outermost first: [] at the top level, ['reward'] inside `reward:`. */
  readonly parents: readonly string[];
  /** Keys already written in the same mapping. */
  readonly siblings: ReadonlySet<string>;
}

const keyLine = /^(\s*)([\w$-]+)\s*:(.*)$/;

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

function isBlank(line: string): boolean {
  return /^\s*(#.*)?$/.test(line);
}

/** `indent` is the indentation of the key at this position (for an empty line: the cursor's column). */
export function yamlPositionAt(lines: readonly string[], lineIndex: number, indent: number): YamlPosition {
  const parents: string[] = [];
  let level = indent;
  let blockStart = 0;
  for (let i = lineIndex - 1; i >= 0 && level > 0; i--) {
    if (isBlank(lines[i])) continue;
    const lineIndent = indentOf(lines[i]);
    if (lineIndent >= level) continue;
    const match = keyLine.exec(lines[i]);
    if (!match) break;
    if (parents.length === 0) blockStart = i + 1;
    parents.unshift(match[2]);
    level = lineIndent;
  }
  // Siblings: lines at exactly `indent` within the block (until a line indented less than it).
  const siblings = new Set<string>();
  const blockIndent = indent;
  const scan = (from: number, step: 1 | -1) => {
    for (let i = from; i >= blockStart && i < lines.length; i += step) {
      if (isBlank(lines[i])) continue;
      const lineIndent = indentOf(lines[i]);
      if (lineIndent < blockIndent) break;
      const match = keyLine.exec(lines[i]);
      if (match && lineIndent === blockIndent && i !== lineIndex) siblings.add(match[2]);
    }
  };
  scan(lineIndex - 1, -1);
  scan(lineIndex + 1, 1);
  return { parents, siblings };
}

/** The key written on a line, with its start column, if the line is `key: …`. */
export function keyOnLine(line: string): { key: string; start: number; valueText: string } | undefined {
  const match = keyLine.exec(line);
  return match ? { key: match[2], start: match[1].length, valueText: match[3] } : undefined;
}
