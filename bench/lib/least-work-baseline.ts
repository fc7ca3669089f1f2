import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Environment } from '@app/config';
import { DELIVERY_ATTEMPT_MODEL } from '@app/persistence';
import { freePort, REPO_ROOT, sleep, waitUntil } from './app-process';
import { BenchDatabase } from './bench-database';
import { seedDeliveryCommands } from './delivery-commands';
import { BenchKafka } from './kafka-admin';
import type { LeastWorkConfig } from './least-work-process';
import { cpuMs } from './proc-stats';
import { BenchReceiver } from './receiver';
import { scrapeWorkCounts, workCounterArgs, WorkPerDelivery, workPerDelivery } from './work-counts';

/**
 * The baseline's own topic and group: the same commands as the dispatcher's topic carries, where no
 * dispatcher (of the bench or of tests sharing the stack) reads them.
 */
export const LEAST_WORK_TOPIC = 'bench.least-work-commands';
const LEAST_WORK_GROUP = 'bench-least-work';

export interface LeastWorkOptions {
  kafkaBrokers: string;
  /** A fresh database per measurement. */
  mongoUri: string;
  receiver: BenchReceiver;
  commands: number;
  webhooks: number;
  /** Processes whose CPU is reported alongside the baseline's (e.g. { kafka: pid, ferretdb: pid }). */
  infraPids?: Record<string, number>;
  progress?: (line: string) => void;
}

export interface LeastWorkResult {
  commands: number;
  webhooks: number;
  received: number;
  persisted: number;
  persistedSuccessful: number;
  /** Commands ÷ (last POST received − first POST received). */
  receivedPerSec: number;
  /** Commands ÷ (all offsets committed, i.e. every attempt stored − first POST received); polled every 500 ms. */
  persistedPerSec: number;
  secondsToPersist: number;
  /** The baseline process's CPU from just before publishing until all were persisted, per command (ms). */
  cpuMsPerDelivery: number;
  infraCpuMsPerDelivery: Record<string, number>;
  work: WorkPerDelivery;
}

/**
 * (2a) The least-work baseline: the dispatcher run's seeding and commands, consumed by
 * least-work-process.ts and timed the same way, from the first POST at the receiver to the last
 * delivery stored (its offsets commit only after its writes).
 */
export async function measureLeastWork(options: LeastWorkOptions): Promise<LeastWorkResult> {
  const { commands } = options;
  const runKey = `lw-${randomUUID().slice(0, 8)}`;
  const tenantId = `bench-${runKey}`;
  const clientId = `bench-${runKey}`;
  const db = await BenchDatabase.connect(options.mongoUri);
  const kafka = new BenchKafka(options.kafkaBrokers);
  let child: ChildProcess | undefined;
  try {
    const messages = await seedDeliveryCommands(
      db,
      tenantId,
      commands,
      Array.from({ length: options.webhooks }, (_, index) => options.receiver.url(runKey, index)),
    );
    await kafka.ensureTopic(LEAST_WORK_TOPIC, new Environment().KAFKA_PARTITIONS);
    await kafka.skipBacklog(LEAST_WORK_GROUP, LEAST_WORK_TOPIC);

    const countsPort = await freePort();
    const config: LeastWorkConfig = {
      kafkaBrokers: options.kafkaBrokers,
      mongoUri: options.mongoUri,
      topic: LEAST_WORK_TOPIC,
      groupId: LEAST_WORK_GROUP,
      clientId,
    };
    const started = fork(join(__dirname, 'least-work-process.ts'), [JSON.stringify(config)], {
      cwd: REPO_ROOT,
      execArgv: [
        '-r',
        require.resolve('ts-node/register/transpile-only'),
        '-r',
        require.resolve('tsconfig-paths/register'),
        ...workCounterArgs(),
      ],
      env: { ...process.env, BENCH_WORK_COUNTS_PORT: String(countsPort) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = started;
    await new Promise<void>((resolve, reject) => {
      started.once('message', () => resolve());
      started.once('exit', (code) => reject(new Error(`least-work baseline exited with ${code}`)));
    });
    const alive = () => {
      if (started.exitCode !== null) throw new Error(`least-work baseline exited with ${started.exitCode}`);
    };
    await waitUntil(
      'the least-work baseline to join its group',
      async () => {
        alive();
        return kafka.groupIsStable(LEAST_WORK_GROUP, clientId, 1);
      },
      90_000,
      250,
    );
    // As for the dispatchers: join-time work stays out of the window.
    await sleep(500);

    const pid = started.pid!;
    const infra = Object.entries(options.infraPids ?? {});
    const infraBefore = infra.map(([, infraPid]) => cpuMs(infraPid));
    const cpuBefore = cpuMs(pid);
    const workBefore = await scrapeWorkCounts([countsPort]);
    const committedBefore = await kafka.committedCount(LEAST_WORK_GROUP, LEAST_WORK_TOPIC);
    await kafka.publish(LEAST_WORK_TOPIC, messages);
    const timeoutMs = Math.max(180_000, commands * 20);
    const persisted = async () => (await kafka.committedCount(LEAST_WORK_GROUP, LEAST_WORK_TOPIC)) - committedBefore;
    const progress = setInterval(async () => {
      const [received, stored] = await Promise.all([options.receiver.stats(runKey), persisted()]);
      options.progress?.(`least-work baseline: ${received.count}/${commands} received, ${stored} persisted`);
    }, 5_000);
    try {
      const allPersisted = async () => {
        alive();
        return (await persisted()) >= commands;
      };
      await waitUntil('every delivery to be persisted', allPersisted, timeoutMs, 500);
    } finally {
      clearInterval(progress);
    }
    const persistedAt = Date.now();
    const cpuAfter = cpuMs(pid);
    const workAfter = await scrapeWorkCounts([countsPort]);
    const infraCpuMsPerDelivery = Object.fromEntries(
      infra.map(([name, infraPid], index) => [name, (cpuMs(infraPid) - infraBefore[index]) / commands]),
    );
    const arrivals = await options.receiver.stats(runKey);
    const attempts = db.collection(DELIVERY_ATTEMPT_MODEL);
    const first = arrivals.firstAt!;
    const secondsToPersist = Math.max(persistedAt - first, 1) / 1000;
    return {
      commands,
      webhooks: options.webhooks,
      received: arrivals.count,
      persisted: await attempts.countDocuments({ tenantId }),
      persistedSuccessful: await attempts.countDocuments({ tenantId, success: true }),
      receivedPerSec: commands / (Math.max(arrivals.lastAt! - first, 1) / 1000),
      persistedPerSec: commands / secondsToPersist,
      secondsToPersist,
      cpuMsPerDelivery: (cpuAfter - cpuBefore) / commands,
      infraCpuMsPerDelivery,
      work: workPerDelivery(workBefore, workAfter, commands),
    };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.send({ type: 'stop' });
      const kill = setTimeout(() => child?.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(kill);
    }
    await kafka.close();
    await db.close();
  }
}
