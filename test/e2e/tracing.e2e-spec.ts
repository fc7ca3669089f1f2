import { randomBytes, randomUUID } from 'node:crypto';
import { KafkaTopic } from '@app/contracts';
import { issueTokenWithCli } from '../console/support/issue-token';
import { AppProcess, freePort } from '../support/app-process';
import { testKafkaBrokers } from '../support/infra';
import { TestKafka } from '../support/kafka-client';
import { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver';
import { TestReceiver } from '../support/receiver';
import { TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

/** OTLP's SpanKind numbers. */
const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

/**
 * Tracing across processes: the api and the dispatcher export spans over OTLP/HTTP to a collector in the
 * test. A retry request is one trace from the API request to the log writer's persistence, whichever
 * process made each span; a command another service publishes with a `traceparent` header continues
 * that service's trace.
 */
describe('OpenTelemetry tracing (api and dispatcher processes, OTLP to a test collector)', () => {
  let db: TestDatabase;
  let receiver: TestReceiver;
  let collector: OtlpReceiver;
  let kafka: TestKafka;
  let api: AppProcess;
  let dispatcher: AppProcess;
  let token: string;
  let tenantId: string;
  /** A tenant of its own for events published to Kafka: an event goes to every webhook of its tenant. */
  let publishingTenantId: string;

  beforeAll(async () => {
    db = await TestDatabase.connect('tracing');
    receiver = await new TestReceiver().start();
    collector = await new OtlpReceiver().start();
    kafka = new TestKafka();
    const shared = { KAFKA_BROKERS: testKafkaBrokers(), MONGODB_URI: db.uri };
    const tracing = {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      // Exported within a fifth of a second, rather than the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: '200',
    };
    tenantId = `tenant-${randomUUID().slice(0, 8)}`;
    publishingTenantId = `publisher-${randomUUID().slice(0, 8)}`;
    [api, dispatcher, token] = await Promise.all([
      new AppProcess(
        'api',
        await freePort(),
        { ...shared, ...tracing, ALLOW_HTTP_WEBHOOKS: 'true' },
        'tracing-api',
      ).start(),
      new AppProcess(
        'dispatcher',
        await freePort(),
        { ...shared, ...tracing, PRIVATE_TARGET_ALLOWLIST: `127.0.0.1:${receiver.port}` },
        'tracing-dispatcher',
      ).start(),
      issueTokenWithCli(shared, tenantId),
      issueTokenWithCli(shared, publishingTenantId),
    ]);
  });

  afterAll(async () => {
    await api?.stop();
    await dispatcher?.stop();
    await kafka?.close();
    await collector?.stop();
    await receiver?.stop();
    await db?.close();
  });

  /** The spans of a trace once the log writer's persistence span is among them. */
  const traceOnceLogged = (traceId: string) =>
    waitFor(`the trace ${traceId} down to the delivery log's persistence`, () => {
      const spans = collector.trace(traceId);
      return spans.some((span) => span.name === `process ${KafkaTopic.DeliveryLogs}`) && spans;
    });

  /** The one span of `spans` named `name` whose parent is `parent`. */
  const childOf = (spans: ReceivedSpan[], parent: ReceivedSpan, name: string): ReceivedSpan => {
    const children = spans.filter((span) => span.parentSpanId === parent.spanId && span.name === name);
    expect(children.map(({ name }) => name)).toEqual([name]);
    return children[0];
  };

  /** Command message → deliver → POST, and deliver → log message → persistence, all in the dispatcher. */
  const expectDispatcherChain = (spans: ReceivedSpan[], commandSpan: ReceivedSpan) => {
    expect(commandSpan).toMatchObject({ service: 'webhook-dispatcher', kind: CONSUMER });
    const deliver = childOf(spans, commandSpan, 'deliver');
    expect(deliver.service).toBe('webhook-dispatcher');
    const post = childOf(spans, deliver, 'POST');
    expect(post).toMatchObject({ kind: CLIENT, attributes: { 'http.response.status_code': 200 } });
    const logSent = childOf(spans, deliver, `send ${KafkaTopic.DeliveryLogs}`);
    expect(logSent).toMatchObject({ service: 'webhook-dispatcher', kind: PRODUCER });
    const persisted = childOf(spans, logSent, `process ${KafkaTopic.DeliveryLogs}`);
    expect(persisted).toMatchObject({ service: 'webhook-dispatcher', kind: CONSUMER });
    return deliver;
  };

  it('makes one trace of a retry request: API request → command → dispatch → POST → log persistence', async () => {
    const webhook = await db.createWebhook(tenantId, receiver.url('/traced-retry'));
    const event = await db.createEvent(tenantId, 'invoice.paid', { amount: 7 }, [webhook]);

    const response = await fetch(`http://127.0.0.1:${api.port}/v1/webhooks/events/${event._id}/retry`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);

    const request = await waitFor(
      'the retry request span',
      () =>
        collector.spans.find(
          (span) => span.service === 'webhook-api' && span.name === 'POST /v1/webhooks/events/:eventId/retry',
        ) ?? false,
    );
    expect(request).toMatchObject({ kind: SERVER, parentSpanId: '', attributes: { 'http.response.status_code': 200 } });
    const spans = await traceOnceLogged(request.traceId);
    const commandSent = childOf(spans, request, `send ${KafkaTopic.DeliveryCommands}`);
    expect(commandSent).toMatchObject({ service: 'webhook-api', kind: PRODUCER });
    const commandTaken = childOf(spans, commandSent, `process ${KafkaTopic.DeliveryCommands}`);
    const deliver = expectDispatcherChain(spans, commandTaken);
    expect(deliver.attributes).toMatchObject({ 'webhooks.event_id': event._id, 'webhooks.webhook_id': webhook._id });
    // Both processes, one trace.
    expect(new Set(spans.map(({ service }) => service))).toEqual(new Set(['webhook-api', 'webhook-dispatcher']));
    // Trace context stays inside the service: the customer's endpoint is sent none.
    const [delivered] = receiver.received('/traced-retry');
    expect(delivered.headers.traceparent).toBeUndefined();
  });

  it('continues the trace of a command another service published with a traceparent header', async () => {
    const webhook = await db.createWebhook(tenantId, receiver.url('/traced-command'));
    const event = await db.createEvent(tenantId, 'order.created', { id: 1 }, [webhook]);
    const traceId = randomBytes(16).toString('hex');
    const publisherSpanId = randomBytes(8).toString('hex');

    await kafka.publish(KafkaTopic.DeliveryCommands, [
      {
        key: event._id,
        value: JSON.stringify({ version: 1, eventId: event._id, webhookId: webhook._id }),
        headers: { traceparent: `00-${traceId}-${publisherSpanId}-01` },
      },
    ]);

    const spans = await traceOnceLogged(traceId);
    const commandTaken = spans.find((span) => span.name === `process ${KafkaTopic.DeliveryCommands}`)!;
    expect(commandTaken.parentSpanId).toBe(publisherSpanId);
    expectDispatcherChain(spans, commandTaken);
  });

  it('continues the trace of an event another service published with a traceparent header, through its commands', async () => {
    const webhook = await db.createWebhook(publishingTenantId, receiver.url('/traced-event'));
    const traceId = randomBytes(16).toString('hex');
    const publisherSpanId = randomBytes(8).toString('hex');

    await kafka.publish(KafkaTopic.Events, [
      {
        key: publishingTenantId,
        value: JSON.stringify({ version: 1, tenantId: publishingTenantId, type: 'order.shipped', payload: { id: 3 } }),
        headers: { traceparent: `00-${traceId}-${publisherSpanId}-01` },
      },
    ]);

    const spans = await traceOnceLogged(traceId);
    const eventTaken = spans.find((span) => span.name === `process ${KafkaTopic.Events}`)!;
    expect(eventTaken).toMatchObject({ service: 'webhook-api', kind: CONSUMER, parentSpanId: publisherSpanId });
    const commandSent = childOf(spans, eventTaken, `send ${KafkaTopic.DeliveryCommands}`);
    expect(commandSent).toMatchObject({ service: 'webhook-api', kind: PRODUCER });
    const commandTaken = childOf(spans, commandSent, `process ${KafkaTopic.DeliveryCommands}`);
    const deliver = expectDispatcherChain(spans, commandTaken);
    expect(deliver.attributes).toMatchObject({ 'webhooks.webhook_id': webhook._id, 'webhooks.trigger': 'initial' });
  });
});
