import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { sleep } from './wait-for';

const ROOT = resolve(__dirname, '../..');
const LOG_DIR = join(ROOT, 'test/artifacts/logs');

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
    const script = join(ROOT, `dist/apps/${this.app}/main.js`);
    this.child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), script], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...(this.options.defaults ?? { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? 'warn' }),
        ...this.env,
        [portVariable]: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    await this.untilReady(child, logFile);
    return this;
  }

  private async untilReady(child: ChildProcess, logFile: string): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    const url = `http://127.0.0.1:${this.port}${this.app === 'api' ? '/ready' : '/health'}`;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.label} exited with ${child.exitCode}; see ${logFile}`);
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.label} not ready after ${timeoutMs} ms; see ${logFile}`);
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
    this.child.kill('SIGTERM');
    const timer = graceMs === undefined ? undefined : setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
  }

  /** A crash: SIGKILL, no shutdown hooks run. */
  async kill(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
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
