/** Where a command writes; the real process streams, or buffers in a test. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What a command runs with besides its arguments. */
export interface CliContext {
  stdout: TextSink;
  stderr: TextSink;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Output {
  /** stderr is a terminal: progress can update one line in place. */
  readonly interactive: boolean;
  /** The command's result: `value` as JSON with --json, otherwise the text lines. */
  result(value: unknown, lines: () => string[]): void;
  /** Something the user should know that is not the result (stderr, so stdout stays parseable). */
  note(text: string): void;
  /** Replaces the current progress line on a terminal; elsewhere prints it as a line. */
  progress(text: string): void;
  /** Ends a progress line on a terminal. */
  progressDone(): void;
}

export function createOutput(context: CliContext, json: boolean): Output {
  const { stdout, stderr } = context;
  let progressShown = false;
  return {
    interactive: stderr.isTTY === true,
    result(value, lines) {
      stdout.write(
        json
          ? `${JSON.stringify(value, null, 2)}\n`
          : lines()
              .map((line) => `${line}\n`)
              .join(''),
      );
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    progress(text) {
      if (!stderr.isTTY) return void stderr.write(`${text}\n`);
      // Carriage return + "erase line": one line that updates in place.
      stderr.write(`\r\x1b[K${text}`);
      progressShown = true;
    },
    progressDone() {
      if (progressShown) stderr.write('\n');
      progressShown = false;
    },
  };
}

/** Sizes as people read them: 512 B, 402 KB, 3.1 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Rows padded into aligned columns; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.length);
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
