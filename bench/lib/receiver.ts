import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

export interface ArrivalStats {
  count: number;
  firstAt: number | null;
  p10At: number | null;
  p90At: number | null;
  lastAt: number | null;
}

/** Handle on the receiver process (receiver-server.ts): its URL and what arrived under a run key. */
export class BenchReceiver {
  private nextId = 0;
  private readonly pending = new Map<number, (reply: never) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: { type: string; id: number }) => {
      if (message.type !== 'stats' && message.type !== 'arrivals') return;
      this.pending.get(message.id)?.(message as never);
      this.pending.delete(message.id);
    });
  }

  static async start(): Promise<BenchReceiver> {
    const child = fork(join(__dirname, 'receiver-server.ts'), [], {
      execArgv: ['-r', require.resolve('ts-node/register/transpile-only')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (message: { type: string; port: number }) => resolve(message.port));
      child.once('exit', (code) => reject(new Error(`receiver exited with ${code}`)));
    });
    return new BenchReceiver(child, port);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** URL of a webhook under run key `key`: `/r/<key>/<suffix>`. */
  url(key: string, suffix: string | number): string {
    return `http://127.0.0.1:${this.port}/r/${key}/${suffix}`;
  }

  stats(key: string): Promise<ArrivalStats> {
    return this.ask<ArrivalStats>('stats', key);
  }

  /** When the first POST carrying each webhook-id arrived under `key` (epoch ms). */
  async firstArrivals(key: string): Promise<Map<string, number>> {
    const { entries } = await this.ask<{ entries: [string, number][] }>('arrivals', key);
    return new Map(entries);
  }

  private ask<T>(type: 'stats' | 'arrivals', key: string): Promise<T> {
    const id = (this.nextId += 1);
    return new Promise<T>((resolve) => {
      this.pending.set(id, resolve as (reply: never) => void);
      this.child.send({ type, id, key });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
