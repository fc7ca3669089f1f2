import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { measureApi, ROUTE_BASELINES } from './lib/api-throughput';
import { REPO_ROOT } from './lib/app-process';
import { measureDispatcher } from './lib/dispatcher-throughput';
import { measureEndToEnd } from './lib/end-to-end-latency';
import { measureLeastWork } from './lib/least-work-baseline';
import { measureLogWrites } from './lib/log-writes';
import { listenerPid } from './lib/proc-stats';
import { measureRawCeiling } from './lib/raw-ceiling';
import { BenchReceiver } from './lib/receiver';
import { BenchReport, toMarkdown } from './lib/report';

/**
 * The bench driver (bench/run.sh starts the stack and runs this). Every figure is reported next to a
 * baseline measured in the same run; nothing here asserts a wall-clock limit. Settings, from the env:
 *   BENCH_KAFKA_PORT / BENCH_FERRETDB_PORT   the stack (59192 / 59117)
 *   BENCH_COMMANDS (1000)  BENCH_WEBHOOKS (50)  BENCH_DISPATCHERS ("1,2")
 *   BENCH_RAW_SECONDS (5)  BENCH_API_SECONDS (5)  BENCH_API_CONNECTIONS ("10,50")  BENCH_LOG_DOCS (5000)
 *   BENCH_E2E_RATES ("200,500")  BENCH_E2E_SECONDS (10)
 *   BENCH_ONLY ("raw,baseline,dispatcher,e2e,api,logs"; baseline is the least-work baseline, (2a))
 *   BENCH_CPU_PROF=1 (profile each dispatcher and the API, bench/results/profiles/)
 *   BENCH_LOG_LEVEL (info, the apps' default)
 */
const env = process.env;
const numberOf = (name: string, fallback: number) => Number(env[name] || fallback);
const listOf = (name: string, fallback: string) => (env[name] || fallback).split(',').map((item) => item.trim());

async function main(): Promise<void> {
  const kafkaPort = numberOf('BENCH_KAFKA_PORT', 59192);
  const mongoPort = numberOf('BENCH_FERRETDB_PORT', 59117);
  const kafkaBrokers = `127.0.0.1:${kafkaPort}`;
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const dbPrefix = `bench_${stamp.replace(/-/g, '').slice(0, 15)}`;
  const mongoUri = (suffix: string) => `mongodb://127.0.0.1:${mongoPort}/${dbPrefix}_${suffix}`;
  const resultsDir = join(REPO_ROOT, 'bench/results');
  const logDir = join(REPO_ROOT, '.run/bench/logs');
  const only = new Set(listOf('BENCH_ONLY', 'raw,baseline,dispatcher,e2e,api,logs'));
  const appEnv = { LOG_LEVEL: env.BENCH_LOG_LEVEL || 'info' };
  const settings = {
    commands: numberOf('BENCH_COMMANDS', 1000),
    webhooks: numberOf('BENCH_WEBHOOKS', 50),
    dispatchers: listOf('BENCH_DISPATCHERS', '1,2').join(','),
    rawSeconds: numberOf('BENCH_RAW_SECONDS', 5),
    apiSeconds: numberOf('BENCH_API_SECONDS', 5),
    apiConnections: listOf('BENCH_API_CONNECTIONS', '10,50').join(','),
    logDocuments: numberOf('BENCH_LOG_DOCS', 5000),
    e2eRates: listOf('BENCH_E2E_RATES', '200,500').join(','),
    e2eSeconds: numberOf('BENCH_E2E_SECONDS', 10),
    logLevel: appEnv.LOG_LEVEL,
    kafkaBrokers,
    mongoPort,
  };
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    machine: {
      nproc: cpus().length,
      memoryGiB: totalmem() / 2 ** 30,
      node: process.version,
      kernel: execFileSync('uname', ['-r']).toString().trim(),
      loadAverage: loadavg(),
    },
    settings,
    dispatcher: [],
  };
  const say = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const receiver = await BenchReceiver.start();
  try {
    const infraPids = Object.fromEntries(
      Object.entries({ ferretdb: listenerPid(mongoPort), kafka: listenerPid(kafkaPort) }).filter(([, pid]) => pid),
    ) as Record<string, number>;
    if (only.has('raw') || only.has('dispatcher')) {
      say(`(1) raw ceiling, ${settings.rawSeconds} s`);
      report.rawCeiling = await measureRawCeiling(receiver.url('raw', 'hook'), settings.rawSeconds);
    }
    if (only.has('baseline')) {
      say(`(2a) least-work baseline, ${settings.commands} commands over ${settings.webhooks} webhooks`);
      report.leastWork = await measureLeastWork({
        kafkaBrokers,
        mongoUri: mongoUri('least'),
        receiver,
        commands: settings.commands,
        webhooks: settings.webhooks,
        infraPids,
        progress: say,
      });
    }
    if (only.has('dispatcher')) {
      const cpuProfileDir = env.BENCH_CPU_PROF ? join(resultsDir, 'profiles', stamp) : undefined;
      for (const dispatchers of settings.dispatchers.split(',').map(Number)) {
        say(`(2) ${settings.commands} commands over ${settings.webhooks} webhooks, ${dispatchers} dispatcher(s)`);
        const run = await measureDispatcher({
          kafkaBrokers,
          mongoUri: mongoUri(`d${dispatchers}`),
          receiver,
          commands: settings.commands,
          webhooks: settings.webhooks,
          dispatchers,
          logDir,
          cpuProfileDir,
          env: appEnv,
          infraPids,
          progress: say,
        });
        report.dispatcher.push({
          ...run,
          ratioToRaw: run.persistedPerSec / report.rawCeiling!.postsPerSec,
          ratioToLeastWork: report.leastWork && run.persistedPerSec / report.leastWork.persistedPerSec,
        });
      }
    }
    if (only.has('e2e')) {
      say(`(4) end to end at ${settings.e2eRates} req/s, ${settings.e2eSeconds} s each`);
      report.endToEnd = await measureEndToEnd({
        kafkaBrokers,
        mongoUri: mongoUri('e2e'),
        receiver,
        rates: settings.e2eRates.split(',').map(Number),
        seconds: settings.e2eSeconds,
        webhooks: settings.webhooks,
        logDir,
        env: appEnv,
      });
    }
    if (only.has('logs')) {
      say(`(5) ${settings.logDocuments} attempt-log writes, repository vs native insertMany`);
      report.logWrites = await measureLogWrites((suffix) => mongoUri(`logs_${suffix}`), settings.logDocuments);
    }
    // Last: its retry commands stay in Kafka unconsumed (the next dispatcher run skips them).
    if (only.has('api')) {
      say(`(3) API, ${settings.apiSeconds} s per route at ${settings.apiConnections} connections`);
      const api = await measureApi({
        kafkaBrokers,
        mongoUri: mongoUri('api'),
        receiver,
        connections: settings.apiConnections.split(',').map(Number),
        seconds: settings.apiSeconds,
        logDir,
        env: appEnv,
        infraPids,
        cpuProfileDir: env.BENCH_CPU_PROF ? join(resultsDir, 'profiles', stamp) : undefined,
      });
      const ratios = ROUTE_BASELINES.flatMap(({ route, baseline }) =>
        api.routes
          .filter((measured) => measured.route === route)
          .map((measured) => {
            const base = api.routes.find(
              (other) => other.route === baseline && other.connections === measured.connections,
            )!;
            return { route, baseline, connections: measured.connections, ratio: measured.reqPerSec / base.reqPerSec };
          }),
      );
      report.api = { ...api, ratios };
    }
  } finally {
    await receiver.stop();
  }
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(toMarkdown(report));
  console.log(`\nJSON: ${file}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
