import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/infra';

const run = promisify(execFile);

/**
 * A Kafka broker or a FerretDB server of one fault test's own, on its own ports and data dir, started and
 * stopped with the same infra scripts as the shared test stack. Faults that stop a broker or a database
 * stop this one, never the stack other suites share.
 */
abstract class DedicatedServer {
  protected abstract readonly script: 'kafka.sh' | 'ferretdb.sh';
  protected abstract env(): NodeJS.ProcessEnv;

  /** From empty data: no topics, offsets or documents an earlier run left. */
  async startFresh(): Promise<this> {
    await this.call('wipe');
    await this.start();
    return this;
  }

  async start(): Promise<void> {
    await this.call('start');
  }

  /** A graceful stop through the script (SIGTERM, then SIGKILL after its grace period). */
  async stop(): Promise<void> {
    await this.call('stop');
  }

  private async call(command: 'start' | 'stop' | 'wipe'): Promise<void> {
    await run('bash', [join(REPO_ROOT, 'infra', this.script), command], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env() },
      timeout: 180_000,
    });
  }
}

export class DedicatedKafka extends DedicatedServer {
  protected readonly script = 'kafka.sh';

  /** `extraEnv` adds infra/kafka.sh settings, e.g. KAFKA_SASL_SSL_PORT for a secured listener. */
  constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {
    super();
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** No KAFKA_VERSION here: it comes with process.env, so scripts/test.sh's 3.9.1 run restarts a 3.9.1 broker. */
  protected env(): NodeJS.ProcessEnv {
    return {
      KAFKA_PORT: String(this.port),
      KAFKA_CONTROLLER_PORT: String(this.port + 1),
      KAFKA_DATA_DIR: join(REPO_ROOT, this.dataDir),
      KAFKA_HEAP: '384m',
      ...this.extraEnv,
    };
  }
}

export class DedicatedFerretDb extends DedicatedServer {
  protected readonly script = 'ferretdb.sh';

  constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {
    super();
  }

  uri(dbName: string): string {
    return `mongodb://127.0.0.1:${this.port}/${dbName}`;
  }

  protected env(): NodeJS.ProcessEnv {
    return { FERRETDB_PORT: String(this.port), FERRETDB_DATA_DIR: join(REPO_ROOT, this.dataDir) };
  }
}
