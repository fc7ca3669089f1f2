import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');

/** The Node options the production image runs the apps with (the Dockerfile's ENV NODE_OPTIONS). */
export const IMAGE_NODE_OPTIONS =
  /^ENV NODE_OPTIONS=(.*)$/m.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'))?.[1] ?? '';

/** A built app (dist/apps/<name>/main.js) as a child process, started the way the image runs it. */
export class BenchApp {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    readonly app: 'api' | 'dispatcher',
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
    private readonly nodeArgs: string[] = [],
  ) {}

  async start(): Promise<this> {
    const main = join(REPO_ROOT, `dist/apps/${this.app}/main.js`);
    mkdirSync(resolve(this.logFile, '..'), { recursive: true });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [...this.nodeArgs, main], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        NODE_OPTIONS: IMAGE_NODE_OPTIONS,
        ...this.env,
        [this.app === 'api' ? 'API_PORT' : 'DISPATCHER_PORT']: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const deadline = Date.now() + 90_000;
    const path = this.app === 'api' ? '/ready' : '/health';
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${this.app} exited with ${child.exitCode}; see ${this.logFile}`);
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}${path}`)).ok) return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.app} not healthy after 90 s; see ${this.logFile}`);
      await sleep(200);
    }
  }

  get pid(): number {
    if (!this.child?.pid) throw new Error(`${this.app} is not running`);
    return this.child.pid;
  }

  /** SIGTERM, the graceful path (so a --cpu-prof profile gets written), SIGKILL after `graceMs`. */
  async stop(graceMs = 60_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited!;
    clearTimeout(timer);
    return code;
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

export const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Polls `probe` until it returns true, or throws after `timeoutMs`. */
export async function waitUntil(
  description: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 200,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(intervalMs);
  }
}
