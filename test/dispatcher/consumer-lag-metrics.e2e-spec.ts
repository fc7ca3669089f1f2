import { randomUUID } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { ConsumerGroup, KafkaTopic, TOPIC_OF_GROUP } from '@app/contracts';
import { AppProcess } from '../support/app-process';
import { TestKafka } from '../support/kafka-client';
import { MetricSample, parsePrometheusText, samplesOf } from '../support/prometheus-text';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { startTestDispatcher } from '../support/test-dispatcher';
import { waitFor } from '../support/wait-for';

/** The caps the dispatcher runs with here, small enough for a few dozen commands to reach them. */
const MAX_IN_FLIGHT = 6;
const ENDPOINT_CONCURRENCY = 2;

/**
 * What an operator (or an autoscaler reading the same numbers) sees on the dispatcher's ops port while it
 * falls behind and catches up: each consumer group's lag per partition, measured on committed offsets,
 * and the back-pressure that holds the dispatcher back. The receiver holds every request until released,
 * so commands are read but not finished, and their offsets stay uncommitted.
 */
describe('Consumer group lag and back-pressure on /metrics (real Kafka, FerretDB and receiver)', () => {
  const commandGroup = ConsumerGroup.Dispatcher;
  const commandTopic = TOPIC_OF_GROUP[commandGroup];
  let db: TestDatabase;
  let kafka: TestKafka;
  let receiver: TestReceiver;
  let dispatcher: AppProcess;
  let partitions: number;
  const held: ServerResponse[] = [];
  let holding = true;

  const scrape = async (): Promise<MetricSample[]> => {
    const response = await fetch(`http://127.0.0.1:${dispatcher.metricsPort}/metrics`);
    expect(response.status).toBe(200);
    return parsePrometheusText(await response.text());
  };

  /** The group's lag on each partition of its topic, or undefined until every partition is reported. */
  const lagOf = (samples: MetricSample[], group: ConsumerGroup): number[] | undefined => {
    const lags = samplesOf(samples, 'webhook_consumer_group_lag', { group, topic: TOPIC_OF_GROUP[group] });
    if (lags.length !== partitions) return undefined;
    return lags.sort((a, b) => Number(a.labels.partition) - Number(b.labels.partition)).map(({ value }) => value);
  };

  const valueOf = (samples: MetricSample[], name: string, labels: Record<string, string> = {}): number | undefined =>
    samplesOf(samples, name, labels)[0]?.value;

  beforeAll(async () => {
    db = await TestDatabase.connect('dispatcher_lag');
    kafka = new TestKafka();
    receiver = await new TestReceiver().start();
    receiver.on('/held', (_request, response) => {
      if (!holding) return void response.writeHead(200).end();
      held.push(response);
    });
    dispatcher = await startTestDispatcher('dispatcher-lag', db.uri, {
      ALLOW_PRIVATE_TARGETS: 'false',
      PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}`,
      DISPATCHER_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      ENDPOINT_CONCURRENCY: String(ENDPOINT_CONCURRENCY),
      // Longer than the test holds a request, so no held delivery times out into a retry.
      DELIVERY_TIMEOUT: '90s',
    });
    partitions = await kafka.partitionCount(commandTopic);
  });

  afterAll(async () => {
    holding = false;
    for (const response of held.splice(0)) response.writeHead(200).end();
    await dispatcher?.stop();
    await receiver?.stop();
    await kafka?.close();
    await db?.close();
  });

  it('shows the commands not yet finished as lag on their partitions, and 0 once they are delivered', async () => {
    // Earlier suites' leftovers on the shared broker name events this database lacks: dead-lettered, committed.
    await waitFor(
      'the command group to be caught up',
      async () => lagOf(await scrape(), commandGroup)?.every((lag) => lag === 0),
      60_000,
      500,
    );

    const perPartition = 2;
    const count = perPartition * partitions;
    const tenantId = `tenant-${randomUUID()}`;
    const webhook = await db.createWebhook(tenantId, receiver.url('/held'));
    const events = await db.createEvents(tenantId, 'order.created', count, [webhook]);
    await kafka.publish(
      KafkaTopic.DeliveryCommands,
      events.map((event, index) => ({
        key: event._id,
        partition: index % partitions,
        value: JSON.stringify({ version: 1, eventId: event._id, webhookId: webhook._id, commandId: randomUUID() }),
      })),
    );

    const backedUp = await waitFor(
      'the lag of every command and the dispatcher held back by its caps',
      async () => {
        const samples = await scrape();
        const lags = lagOf(samples, commandGroup);
        const waiting = valueOf(samples, 'webhook_dispatcher_waiting_partitions', { cap: 'max_in_flight' }) ?? 0;
        const queued = valueOf(samples, 'webhook_endpoint_queued_deliveries') ?? 0;
        return lags?.every((lag) => lag === perPartition) && waiting > 0 && queued > 0 && samples;
      },
      30_000,
      250,
    );
    expect(lagOf(backedUp, commandGroup)!.reduce((sum, lag) => sum + lag, 0)).toBe(count);
    expect(valueOf(backedUp, 'webhook_deliveries_in_flight')).toBeGreaterThanOrEqual(MAX_IN_FLIGHT);
    expect(valueOf(backedUp, 'webhook_dispatcher_waiting_partitions', { cap: 'payload_bytes' })).toBe(0);
    expect(receiver.received('/held').length).toBeLessThanOrEqual(ENDPOINT_CONCURRENCY);

    holding = false;
    for (const response of held.splice(0)) response.writeHead(200).end();

    const caughtUp = await waitFor(
      'every command delivered, its offset committed and its attempt logged',
      async () => {
        const samples = await scrape();
        const done =
          lagOf(samples, commandGroup)?.every((lag) => lag === 0) &&
          lagOf(samples, ConsumerGroup.LogWriter)?.every((lag) => lag === 0) &&
          valueOf(samples, 'webhook_deliveries_in_flight') === 0 &&
          (await db.attempts.countDocuments({ tenantId })) === count;
        return done && samples;
      },
      60_000,
      250,
    );
    expect(new Set(receiver.received('/held').map((request) => request.headers['webhook-id'])).size).toBe(count);
    expect(valueOf(caughtUp, 'webhook_dispatcher_waiting_partitions', { cap: 'max_in_flight' })).toBe(0);
    expect(valueOf(caughtUp, 'webhook_endpoint_queued_deliveries')).toBe(0);
  });
});
