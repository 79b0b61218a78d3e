// The `qrpo` command line. Each command lives in cli/<name>Command.ts; this file dispatches and renders errors:
// a QrpoError is a user's mistake and is printed as one line (exit 2), anything else is a bug (stack, exit 1).
import { QrpoError } from './errors';
import { closestMatch } from './cli/arguments';
import { processOutput } from './cli/output';
import { prepareCommand, prepareUsage } from './cli/prepareCommand';
import { generateCommand, generateUsage } from './cli/generateCommand';
import { logprobsCommand, logprobsUsage } from './cli/logprobsCommand';
import { evalCommand, evalUsage } from './cli/evalCommand';
import { runCommand, runUsage } from './cli/runCommand';
import { resumeCommand, resumeUsage } from './cli/resumeCommand';
import { stopCommand, stopUsage } from './cli/stopCommand';
import { statusCommand, statusUsage } from './cli/statusCommand';
import { demoCommand, demoUsage } from './cli/demoCommand';
import { followRelaunchingParent, relaunchWithTunedAllocator } from './cli/allocatorRelaunch';

/** Commands that only read or signal a run folder, and need no tuned allocator (allocatorRelaunch.ts). */
const LIGHT_COMMANDS = new Set(['stop', 'status']);

const commands: Record<string, { run: (argv: string[]) => Promise<number>; usage: string }> = {
  run: { run: (argv) => runCommand(argv, processOutput), usage: runUsage },
  resume: { run: (argv) => resumeCommand(argv, processOutput), usage: resumeUsage },
  stop: { run: (argv) => stopCommand(argv, processOutput), usage: stopUsage },
  status: { run: (argv) => statusCommand(argv, processOutput), usage: statusUsage },
  prepare: { run: (argv) => prepareCommand(argv, processOutput), usage: prepareUsage },
  generate: { run: (argv) => generateCommand(argv, processOutput), usage: generateUsage },
  logprobs: { run: (argv) => logprobsCommand(argv, processOutput), usage: logprobsUsage },
  eval: { run: (argv) => evalCommand(argv, processOutput), usage: evalUsage },
  demo: { run: (argv) => demoCommand(argv, processOutput), usage: demoUsage },
};

const usage = `usage: qrpo <command> [options]

commands:
${Object.values(commands).map((c) => `  ${c.usage.split('\n')[0]}`).join('\n')}

'qrpo <command> --help' describes a command.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    processOutput.text(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    const suggestion = closestMatch(name, Object.keys(commands));
    processOutput.warn(`error: unknown command '${name}'${suggestion ? `. Did you mean '${suggestion}'?` : ''}\n${usage}`);
    return 2;
  }
  if (!followRelaunchingParent() && !LIGHT_COMMANDS.has(name)) {
    const relaunched = relaunchWithTunedAllocator(argv);
    if (relaunched) return relaunched;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof QrpoError) {
      if (rest.includes('--json')) processOutput.event({ event: 'error', message: error.message, kind: error.name });
      processOutput.warn(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`qrpo: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
