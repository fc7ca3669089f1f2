import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConsumerGroup, KafkaTopic } from '@app/contracts';
import { DELIVERY_ATTEMPT_MODEL } from '@app/persistence';
import { BenchApp, freePort, sleep, waitUntil } from './app-process';
import { BenchDatabase } from './bench-database';
import { seedDeliveryCommands } from './delivery-commands';
import { BenchKafka } from './kafka-admin';
import { cpuMs, peakRssMb, RssSampler } from './proc-stats';
import { BenchReceiver } from './receiver';
import { scrapeWorkCounts, workCounterArgs, WorkPerDelivery, workPerDelivery } from './work-counts';

export interface DispatcherBenchOptions {
  kafkaBrokers: string;
  /** A fresh database per measurement, e.g. mongodb://127.0.0.1:59117/bench_x_d1. */
  mongoUri: string;
  receiver: BenchReceiver;
  commands: number;
  webhooks: number;
  dispatchers: number;
  logDir: string;
  /** When set, each dispatcher runs with --cpu-prof and writes its profile here. */
  cpuProfileDir?: string;
  /** Extra environment for the dispatchers (LOG_LEVEL, ...). */
  env?: Record<string, string>;
  /** Called every few seconds while waiting, with counts so far (for a human watching the run). */
  progress?: (line: string) => void;
  /** Processes whose CPU is reported alongside the dispatchers' (e.g. { kafka: pid, ferretdb: pid }). */
  infraPids?: Record<string, number>;
  /**
   * Move the idle consumer groups past what earlier runs left in the topics (default). Off on a stack
   * shared with other test runs, whose unconsumed commands must not be skipped.
   */
  skipBacklog?: boolean;
}

export interface DispatcherBenchResult {
  dispatchers: number;
  commands: number;
  webhooks: number;
  received: number;
  persisted: number;
  persistedSuccessful: number;
  /** Commands ÷ (last POST received − first POST received). */
  receivedPerSec: number;
  /** Commands ÷ (all attempts found in MongoDB − first POST received); polled every 500 ms. */
  persistedPerSec: number;
  /** 80 % of the commands ÷ the time between the 10th and the 90th percentile arrival: the steady rate. */
  sustainedPerSec: number;
  secondsToReceive: number;
  secondsToPersist: number;
  publishSeconds: number;
  /** CPU of all dispatchers (user + system) from just before publishing until all attempts were persisted, per command. */
  cpuMsPerDelivery: number;
  /** Highest VmRSS sampled every 100 ms during the run, per dispatcher, in MiB. */
  peakRssMb: number[];
  /** Kernel high-water mark (VmHWM) per dispatcher, including start-up, in MiB. */
  vmHwmMb: number[];
  /** CPU the infrastructure processes used over the same window, per command (ms). */
  infraCpuMsPerDelivery: Record<string, number>;
  /** MongoDB commands, documents written and Kafka requests of all dispatchers over the same window. */
  work: WorkPerDelivery;
  /**
   * Persisted/s in each tenth of the run (the first 10 % of the commands, the next 10 %, ...), from the
   * log writers' committed offsets sampled every second: a cost that grows with the data shows as a falling
   * series.
   */
  persistedPerSecByTenth: number[];
  /**
   * CPU-ms per persisted delivery in each tenth of the run, all dispatchers and each infrastructure
   * process: unlike the rate, this hardly moves with other load on the machine, so a cost that grows with
   * the data shows here even on a busy one.
   */
  cpuMsPerDeliveryByTenth: { dispatchers: number[]; infra: Record<string, number[]> };
}

/**
 * (2) Dispatcher throughput: `commands` initial delivery commands, spread over `webhooks` webhooks on
 * the one receiver, published straight to Kafka once the dispatchers have joined both consumer groups;
 * timed from the first POST at the receiver to the last, and to the last attempt stored in MongoDB.
 */
export async function measureDispatcher(options: DispatcherBenchOptions): Promise<DispatcherBenchResult> {
  const { commands, webhooks: webhookCount, dispatchers: count } = options;
  const runKey = `d${count}-${randomUUID().slice(0, 8)}`;
  const clientId = `bench-${runKey}`;
  const db = await BenchDatabase.connect(options.mongoUri);
  const kafka = new BenchKafka(options.kafkaBrokers);
  const apps: BenchApp[] = [];
  try {
    const tenantId = `bench-${runKey}`;
    const messages = await seedDeliveryCommands(
      db,
      tenantId,
      commands,
      Array.from({ length: webhookCount }, (_, index) => options.receiver.url(runKey, index)),
    );
    if (options.skipBacklog ?? true) {
      await kafka.skipBacklog(ConsumerGroup.Dispatcher, KafkaTopic.DeliveryCommands);
      await kafka.skipBacklog(ConsumerGroup.LogWriter, KafkaTopic.DeliveryLogs);
    }

    const countsPorts: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const port = await freePort();
      countsPorts.push(await freePort());
      const nodeArgs = [...workCounterArgs()];
      if (options.cpuProfileDir) {
        nodeArgs.push(
          '--cpu-prof',
          '--cpu-prof-dir',
          options.cpuProfileDir,
          '--cpu-prof-name',
          `dispatcher-${runKey}-${index}.cpuprofile`,
        );
      }
      apps.push(
        new BenchApp(
          'dispatcher',
          port,
          {
            NODE_ENV: 'production',
            KAFKA_BROKERS: options.kafkaBrokers,
            KAFKA_CLIENT_ID: clientId,
            MONGODB_URI: options.mongoUri,
            ALLOW_PRIVATE_TARGETS: 'true',
            BENCH_WORK_COUNTS_PORT: String(countsPorts[index]),
            ...options.env,
          },
          join(options.logDir, `dispatcher-${runKey}-${index}.log`),
          nodeArgs,
        ),
      );
    }
    await Promise.all(apps.map((app) => app.start()));
    await waitUntil(
      `${count} dispatcher(s) to join both consumer groups`,
      async () =>
        (await kafka.groupIsStable(ConsumerGroup.Dispatcher, clientId, count)) &&
        (await kafka.groupIsStable(ConsumerGroup.LogWriter, clientId, count)),
      90_000,
      250,
    );
    // Group membership settles before the first fetch; a short pause keeps join-time work out of the window.
    await sleep(500);

    const pids = apps.map((app) => app.runningPid);
    const infra = Object.entries(options.infraPids ?? {});
    const infraBefore = infra.map(([, pid]) => cpuMs(pid));
    const cpuBefore = pids.map(cpuMs);
    const sampler = new RssSampler(pids);
    const workBefore = await scrapeWorkCounts(countsPorts);
    const logsStoredBefore = await kafka.committedCount(ConsumerGroup.LogWriter, KafkaTopic.DeliveryLogs);
    const publishStartedAt = Date.now();
    await kafka.publish(KafkaTopic.DeliveryCommands, messages);
    const publishSeconds = (Date.now() - publishStartedAt) / 1000;
    const timeoutMs = Math.max(180_000, commands * 20);

    const attempts = db.collection(DELIVERY_ATTEMPT_MODEL);
    const logsStored = async () =>
      (await kafka.committedCount(ConsumerGroup.LogWriter, KafkaTopic.DeliveryLogs)) - logsStoredBefore;
    const cpuNow = () => ({
      dispatchers: pids.reduce((sum, pid) => sum + cpuMs(pid), 0),
      infra: Object.fromEntries(infra.map(([name, pid]) => [name, cpuMs(pid)])),
    });
    const storedSeries: StoredSample[] = [{ at: publishStartedAt, stored: 0, cpu: cpuNow() }];
    const sampling = setInterval(async () => {
      const stored = await logsStored();
      storedSeries.push({ at: Date.now(), stored, cpu: cpuNow() });
    }, 1_000);
    const progress = setInterval(async () => {
      const [received, stored] = await Promise.all([options.receiver.stats(runKey), logsStored()]);
      options.progress?.(`${count} dispatcher(s): ${received.count}/${commands} received, ${stored} persisted`);
    }, 5_000);
    try {
      await waitUntil(
        'every command to reach the receiver',
        async () => (await options.receiver.stats(runKey)).count >= commands,
        timeoutMs,
      );
      await waitUntil('every attempt log to be stored', async () => (await logsStored()) >= commands, timeoutMs, 500);
    } finally {
      clearInterval(progress);
      clearInterval(sampling);
    }
    const persistedAt = Date.now();
    storedSeries.push({ at: persistedAt, stored: commands, cpu: cpuNow() });
    const cpuAfter = pids.map(cpuMs);
    const workAfter = await scrapeWorkCounts(countsPorts);
    const infraCpuMsPerDelivery = Object.fromEntries(
      infra.map(([name, pid], index) => [name, (cpuMs(pid) - infraBefore[index]) / commands]),
    );
    const peaks = sampler.stop();
    const vmHwmMb = pids.map(peakRssMb);
    const arrivals = await options.receiver.stats(runKey);
    const persisted = await attempts.countDocuments({ tenantId });
    const persistedSuccessful = await attempts.countDocuments({ tenantId, success: true });

    const first = arrivals.firstAt!;
    const secondsToReceive = Math.max(arrivals.lastAt! - first, 1) / 1000;
    const secondsToPersist = Math.max(persistedAt - first, 1) / 1000;
    const steadySeconds = Math.max(arrivals.p90At! - arrivals.p10At!, 1) / 1000;
    const cpuTotal = cpuAfter.reduce((sum, after, index) => sum + after - cpuBefore[index], 0);
    return {
      dispatchers: count,
      commands,
      webhooks: webhookCount,
      received: arrivals.count,
      persisted,
      persistedSuccessful,
      receivedPerSec: commands / secondsToReceive,
      persistedPerSec: commands / secondsToPersist,
      sustainedPerSec: (0.8 * commands) / steadySeconds,
      secondsToReceive,
      secondsToPersist,
      publishSeconds,
      cpuMsPerDelivery: cpuTotal / commands,
      peakRssMb: pids.map((pid) => peaks.get(pid) ?? NaN),
      vmHwmMb,
      infraCpuMsPerDelivery,
      work: workPerDelivery(workBefore, workAfter, commands),
      persistedPerSecByTenth: ratesByTenth(storedSeries, commands),
      cpuMsPerDeliveryByTenth: cpuByTenth(storedSeries, commands),
    };
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    await kafka.close();
    await db.close();
  }
}

interface StoredSample {
  at: number;
  stored: number;
  /** Cumulative CPU-ms of the dispatchers and of each infrastructure process. */
  cpu: { dispatchers: number; infra: Record<string, number> };
}

/** CPU-ms per delivery between the samples nearest each 10 % mark of the stored count. */
export function cpuByTenth(
  samples: StoredSample[],
  commands: number,
): { dispatchers: number[]; infra: Record<string, number[]> } {
  const at = (target: number) => samples.find((sample) => sample.stored >= target) ?? samples[samples.length - 1];
  const marks = Array.from({ length: 11 }, (_, tenth) => at((commands * tenth) / 10));
  const per = (pick: (sample: StoredSample) => number) =>
    marks.slice(1).map((mark, tenth) => {
      const from = marks[tenth];
      return (pick(mark) - pick(from)) / Math.max(mark.stored - from.stored, 1);
    });
  const names = Object.keys(samples[0]?.cpu.infra ?? {});
  return {
    dispatchers: per((sample) => sample.cpu.dispatchers),
    infra: Object.fromEntries(names.map((name) => [name, per((sample) => sample.cpu.infra[name] ?? 0)])),
  };
}

/**
 * The persisted rate over each tenth of the commands: the time at which the stored count crossed each
 * 10 % mark, interpolated between one-second samples.
 */
export function ratesByTenth(samples: StoredSample[], commands: number): number[] {
  const crossing = (target: number): number => {
    const after = samples.findIndex((sample) => sample.stored >= target);
    if (after <= 0) return samples[Math.max(after, 0)].at;
    const before = samples[after - 1];
    const next = samples[after];
    return before.at + ((target - before.stored) / Math.max(next.stored - before.stored, 1)) * (next.at - before.at);
  };
  const marks = Array.from({ length: 11 }, (_, tenth) => crossing((commands * tenth) / 10));
  return marks.slice(1).map((at, tenth) => commands / 10 / Math.max((at - marks[tenth]) / 1000, 0.001));
}
