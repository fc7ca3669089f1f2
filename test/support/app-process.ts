import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, createWriteStream, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { sleep } from './wait-for';

const ROOT = resolve(__dirname, '../..');
const LOG_DIR = join(ROOT, 'test/artifacts/logs');
/** How much of an app's log an error message quotes. */
const TAIL_LINES = 30;
const TAIL_BYTES = 16 * 1024;

/** How an app is started, where tests and the bench differ. */
export interface AppProcessOptions {
  /** Where its stdout and stderr go; test/artifacts/logs/<label>-<port>.log by default. */
  logFile?: string;
  /** Options for node itself, before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Environment under the caller's `env`; by default NODE_ENV=test and quiet logs. */
  defaults?: Record<string, string>;
  readyTimeoutMs?: number;
}

/**
 * One of the built apps (dist/apps/<name>/main.js) running as a real child process, the way operators
 * run it: so tests can SIGTERM or SIGKILL it and start it again, and the bench can measure it.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  /** Ready and not asked to stop: an exit now is a crash, reported with its log's last lines. */
  private running = false;
  /** Its ops listener (/metrics, health details): a free port picked at the first start, else the env's. */
  metricsPort = 0;

  constructor(
    readonly app: 'api' | 'dispatcher',
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly label: string = app,
    private readonly options: AppProcessOptions = {},
  ) {}

  async start(): Promise<this> {
    const logFile = this.options.logFile ?? join(LOG_DIR, `${this.label}-${this.port}.log`);
    mkdirSync(resolve(logFile, '..'), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    const portVariable = this.app === 'api' ? 'API_PORT' : 'DISPATCHER_PORT';
    const metricsPortVariable = this.app === 'api' ? 'API_METRICS_PORT' : 'DISPATCHER_METRICS_PORT';
    // Never the default: apps of parallel test runs and the bench would fight over it.
    this.metricsPort ||= Number(this.env[metricsPortVariable]) || (await freePort());
    const script = join(ROOT, `dist/apps/${this.app}/main.js`);
    this.child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), script], {
      cwd: ROOT,
      env: {
        ...process.env,
        // Its output goes to logFile below (uncoloured); a LOG_FILE the test process set is not the child's.
        LOG_FILE: '',
        NO_COLOR: '1',
        ...(this.options.defaults ?? { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? 'warn' }),
        ...this.env,
        [portVariable]: String(this.port),
        [metricsPortVariable]: String(this.metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both into one file: ended once both are done, or the second pipe would write after the end.
    this.child.stdout?.pipe(log, { end: false });
    this.child.stderr?.pipe(log, { end: false });
    const child = this.child;
    // 'close' comes after the exit and the last of its output.
    this.exited = new Promise((resolveExit) =>
      child.once('close', (code, signal) => {
        log.end(() => {
          if (this.running) console.error(this.crashReport(code, signal, logFile));
          this.running = false;
          resolveExit(code);
        });
      }),
    );
    await this.untilReady(child, logFile);
    this.running = true;
    return this;
  }

  private crashReport(code: number | null, signal: NodeJS.Signals | null, logFile: string): string {
    const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
    const what = `${this.label} (${this.app}, port ${this.port})`;
    return `${what} ${how} while the test ran; last lines of ${logFile}:\n${tailOf(logFile)}`;
  }

  private async untilReady(child: ChildProcess, logFile: string): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${this.port}${this.app === 'api' ? '/ready' : '/health'}`;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        await this.exited; // all of its output is in the file
        throw new Error(`${this.label} exited before it was ready; last lines of ${logFile}:\n${tailOf(logFile)}`);
      }
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.label} not ready after ${timeoutMs} ms; last lines of ${logFile}:\n${tailOf(logFile)}`);
      }
      await sleep(200);
    }
  }

  /** Settles with the exit code once the process has exited, whatever stopped it. */
  whenExited(): Promise<number | null> {
    if (!this.exited) throw new Error(`${this.label} was never started`);
    return this.exited;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The pid of the running process, for measurements (throws when it is not running). */
  get runningPid(): number {
    if (!this.child?.pid || this.child.exitCode !== null) throw new Error(`${this.label} is not running`);
    return this.child.pid;
  }

  /**
   * Graceful stop (SIGTERM), as a deploy or scale-in does; SIGKILL after `graceMs` when given. A graceful
   * exit is also what writes a --cpu-prof profile.
   */
  async stop(graceMs?: number): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.running = false;
    this.child.kill('SIGTERM');
    const timer = graceMs === undefined ? undefined : setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
  }

  /** A crash: SIGKILL, no shutdown hooks run. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.running = false;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** A loopback port nobody listens on right now, picked by the OS. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

/** The last TAIL_LINES lines of a log file (read from its end: trace logs grow large). */
function tailOf(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n');
    return (
      lines
        .slice(-TAIL_LINES - 1)
        .join('\n')
        .trimEnd() || '(empty)'
    );
  } catch (error) {
    return `(unreadable: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
