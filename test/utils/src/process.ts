import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface LogLine {
  level?: string;
  msg?: string;
  code?: string;
  [field: string]: unknown;
}

export interface ServiceProcess {
  readonly pid: number;
  /** Every JSON log line the process printed so far. */
  readonly logs: LogLine[];
  /** Everything it printed that was not a JSON log line. */
  readonly output: string[];
  /** The URL from its `listening` log line. */
  readonly url: string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, deadlineMs?: number): Promise<LogLine>;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs?: number): Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartServiceOptions {
  script: string;
  /** Arguments after the script: `['registry', 'start', '--port', '0']`. */
  args?: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** How long to wait for the `listening` line. @default 20000 */
  startDeadlineMs?: number;
  /** For a program that prints no JSON `listening` line (a stock app): the line of output that says it is ready. */
  readyLine?: RegExp;
}

const running = new Set<ServiceProcess>();

/**
 * Starts a service (a Node script that logs JSON lines and a `listening` line with its `url`)
 * as a real process, and resolves once it listens.
 */
export async function startService(options: StartServiceOptions): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const output: string[] = [];
  const waiters = new Set<{ match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }>();
  const onLine = (text: string): void => {
    let line: LogLine | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') line = parsed as LogLine;
    } catch {}
    if (!line) return void output.push(text);
    logs.push(line);
    for (const waiter of waiters) {
      if (waiter.match(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  splitLines(child.stdout, onLine);
  splitLines(child.stderr, onLine);
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  const service: ServiceProcess = {
    pid: child.pid ?? -1,
    logs,
    output,
    url: '',
    waitForLog(match, deadlineMs = 20_000) {
      const found = logs.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve(line: LogLine) {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`${options.script}: no matching log line within ${deadlineMs} ms. Output:\n${describe(logs, output)}`));
        }, deadlineMs);
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          reject(new Error(`${options.script} exited (${code}) before the expected log line. Output:\n${describe(logs, output)}`));
        });
      });
    },
    stop: (graceMs = 5000) => stopChild(child, exited, graceMs),
    async kill(signal = 'SIGKILL') {
      child.kill(signal);
      return exited;
    },
  };
  running.add(service);
  void exited.then(() => running.delete(service));

  if (options.readyLine) {
    const readyLine = options.readyLine;
    await pollUntilOutput(service, exited, (line) => readyLine.test(line), options.startDeadlineMs ?? 20_000, options.script).catch(async (error) => {
      await service.kill();
      throw error;
    });
    return service;
  }
  const listening = await service
    .waitForLog((line) => line.msg === 'listening', options.startDeadlineMs ?? 20_000)
    .catch(async (error) => {
      await service.kill();
      throw error;
    });
  Object.defineProperty(service, 'url', { value: String(listening.url) });
  return service;
}

export interface ScriptResult {
  /** The exit code; null when it was ended by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunScriptOptions {
  script: string;
  args?: string[];
  /** Added to this process's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Killed, and the run failed, after this long. @default 20000 */
  deadlineMs?: number;
}

/** Runs a Node script to completion (a CLI command) and resolves with its exit code and output. */
export async function runScript(options: RunScriptOptions): Promise<ScriptResult> {
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const deadlineMs = options.deadlineMs ?? 20_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  // "close", not "exit": by then both output streams have been read to the end.
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  const command = [options.script, ...(options.args ?? [])].join(' ');
  if (timedOut) throw new Error(`${command}: still running after ${deadlineMs} ms. Output:\n${stdout}${stderr}`);
  return { code, stdout, stderr };
}

/** Stops every service still running; for `afterAll`. */
export async function stopAllServices(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

// --- internal ---

// Resolves once a line of plain output matches; fails when the process exits first or time is up.
function pollUntilOutput(
  service: ServiceProcess,
  exited: Promise<number | null>,
  match: (line: string) => boolean,
  deadlineMs: number,
  script: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error?: Error): void => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const poll = setInterval(() => {
      if (service.output.some(match)) finish();
    }, 20);
    const timer = setTimeout(
      () => finish(new Error(`${script}: not ready within ${deadlineMs} ms. Output:\n${describe(service.logs, service.output)}`)),
      deadlineMs,
    );
    void exited.then((code) => finish(new Error(`${script} exited (${code}) before it was ready. Output:\n${describe(service.logs, service.output)}`)));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, graceMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

function splitLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  let buffered = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) onLine(line);
      newline = buffered.indexOf('\n');
    }
  });
}

function describe(logs: LogLine[], output: string[]): string {
  return [...logs.map((line) => JSON.stringify(line)), ...output].slice(-40).join('\n');
}
