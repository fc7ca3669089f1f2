import { join } from 'node:path';
import { measureDispatcher } from '../../bench/lib/dispatcher-throughput';
import { measureEndToEnd } from '../../bench/lib/end-to-end-latency';
import { measureLeastWork } from '../../bench/lib/least-work-baseline';
import { measureLogWrites } from '../../bench/lib/log-writes';
import { measureRawCeiling } from '../../bench/lib/raw-ceiling';
import { BenchReceiver } from '../../bench/lib/receiver';
import { toMarkdown } from '../../bench/lib/report';
import { REPO_ROOT, testKafkaBrokers, testMongoUri } from '../support/infra';

// Two app start-ups, the least-work baseline, group joins and a few hundred deliveries through FerretDB.
jest.setTimeout(300_000);

/**
 * The bench in miniature (`npm run bench` is the real one), so that it cannot rot: a few hundred
 * commands through the built dispatcher on the test stack. It asserts that the report is complete and
 * sane, never how fast anything was: speed depends on the machine and on whoever else is using it.
 */
describe('Benchmark smoke run (real Kafka and FerretDB)', () => {
  let receiver: BenchReceiver;

  beforeAll(async () => {
    receiver = await BenchReceiver.start();
  });

  afterAll(async () => {
    await receiver?.stop();
  });

  it('delivers and persists every command and reports finite, positive figures against the raw ceiling', async () => {
    const raw = await measureRawCeiling(receiver.url('raw', 'hook'), 1, 0.5);
    const leastWork = await measureLeastWork({
      kafkaBrokers: testKafkaBrokers(),
      mongoUri: testMongoUri(`bench_smoke_least_${process.pid}`),
      receiver,
      commands: 200,
      webhooks: 50,
    });
    const run = await measureDispatcher({
      kafkaBrokers: testKafkaBrokers(),
      mongoUri: testMongoUri(`bench_smoke_${process.pid}`),
      receiver,
      commands: 200,
      webhooks: 50,
      dispatchers: 1,
      logDir: join(REPO_ROOT, 'test/artifacts/logs'),
      skipBacklog: false,
    });
    const endToEnd = await measureEndToEnd({
      kafkaBrokers: testKafkaBrokers(),
      mongoUri: testMongoUri(`bench_smoke_e2e_${process.pid}`),
      receiver,
      rates: [20],
      seconds: 2,
      webhooks: 5,
      logDir: join(REPO_ROOT, 'test/artifacts/logs'),
      skipBacklog: false,
    });
    const logs = await measureLogWrites((suffix) => testMongoUri(`bench_smoke_logs_${suffix}_${process.pid}`), 200);
    const ratioToRaw = run.persistedPerSec / raw.postsPerSec;
    const ratioToLeastWork = run.persistedPerSec / leastWork.persistedPerSec;

    expect(raw.errors).toBe(0);
    expect(run.received).toBe(200);
    expect(run.persisted).toBe(200);
    expect(run.persistedSuccessful).toBe(200);
    expect(leastWork).toEqual(expect.objectContaining({ received: 200, persisted: 200, persistedSuccessful: 200 }));
    // One attempt inserted and one delivery row updated per delivery, counted from the driver's own events.
    expect(leastWork.work.documentsWritten).toBe(2);
    expect(endToEnd).toEqual([expect.objectContaining({ rate: 20, sent: 40, accepted: 40, arrived: 40 })]);
    for (const figure of [
      raw.postsPerSec,
      run.receivedPerSec,
      run.persistedPerSec,
      run.sustainedPerSec,
      run.cpuMsPerDelivery,
      ratioToRaw,
      ratioToLeastWork,
      leastWork.persistedPerSec,
      leastWork.cpuMsPerDelivery,
      leastWork.work.mongoCommands,
      run.work.mongoCommands,
      run.work.documentsWritten,
      run.work.kafkaProduceRequests,
      ...run.peakRssMb,
      logs.nativeWritesPerSec,
      logs.repositoryWritesPerSec,
      logs.ratio,
      ...endToEnd.flatMap((run) => [run.sentPerSec, run.p50Ms, run.p99Ms, run.maxMs, run.apiP50Ms]),
    ]) {
      expect(Number.isFinite(figure)).toBe(true);
      expect(figure).toBeGreaterThan(0);
    }

    const markdown = toMarkdown({
      startedAt: new Date().toISOString(),
      machine: { nproc: 2, memoryGiB: 1, node: process.version, kernel: 'test', loadAverage: [0, 0, 0] },
      settings: {},
      rawCeiling: raw,
      leastWork,
      dispatcher: [{ ...run, ratioToRaw, ratioToLeastWork }],
      endToEnd,
      logWrites: logs,
    });
    expect(markdown).toContain('| (2) dispatchers |');
    expect(markdown).toContain('(2) ÷ (1), 1 dispatcher(s), persisted');
    expect(markdown).toContain('| (2a) least-work baseline, 1 process |');
    expect(markdown).toContain('| (2) 1 dispatcher(s) |');
    expect(markdown).toContain('| (4) end to end, open loop |');
  });
});
