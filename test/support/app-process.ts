import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer, AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { waitFor } from './wait-for';

const ROOT = resolve(__dirname, '../..');
const LOG_DIR = join(ROOT, 'test/artifacts/logs');

/**
 * One of the built apps (dist/apps/<name>/main.js) running as a real child process, the way operators
 * run it: so tests can SIGTERM or SIGKILL it and start it again.
 */
export class AppProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;

  constructor(
    readonly app: 'api' | 'dispatcher',
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly label: string = app,
  ) {}

  async start(): Promise<this> {
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(join(LOG_DIR, `${this.label}-${this.port}.log`), { flags: 'a' });
    const portVariable = this.app === 'api' ? 'API_PORT' : 'DISPATCHER_PORT';
    this.child = spawn(process.execPath, [join(ROOT, `dist/apps/${this.app}/main.js`)], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: process.env.TEST_APP_LOG_LEVEL ?? 'warn',
        ...this.env,
        [portVariable]: String(this.port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    const child = this.child;
    this.exited = new Promise((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    const path = this.app === 'api' ? '/ready' : '/health';
    await waitFor(
      `${this.label} on port ${this.port} to be healthy`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.label} exited with ${child.exitCode}`);
        const response = await fetch(`http://127.0.0.1:${this.port}${path}`);
        return response.ok;
      },
      60_000,
      200,
    );
    return this;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Graceful stop (SIGTERM), as a deploy or scale-in does. */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    return this.exited!;
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
