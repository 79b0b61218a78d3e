// Where a command's results go: human text on stdout, warnings on stderr, or one JSON event per line with --json.

export interface CommandOutput {
  text(message: string): void;
  warn(message: string): void;
  event(event: { event: string } & Record<string, unknown>): void;
}

export const processOutput: CommandOutput = {
  text: (message) => process.stdout.write(`${message}\n`),
  warn: (message) => process.stderr.write(`qrpo: ${message}\n`),
  event: (event) => process.stdout.write(`${JSON.stringify(event)}\n`),
};
