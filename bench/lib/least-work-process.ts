import { randomUUID } from 'node:crypto';
import { Batch, Kafka, logLevel } from 'kafkajs';
import { AnyBulkWriteOperation, Collection, Filter, MongoClient } from 'mongodb';
import { Agent, request } from 'undici';
import { Environment } from '@app/config';
import { DeliveryCommandV1, DeliveryErrorKind, DeliveryLogV1, DeliveryStatus } from '@app/contracts';
import {
  attemptDocumentOf,
  DELIVERY_ATTEMPT_MODEL,
  DELIVERY_MODEL,
  DeliveryAttemptDocument,
  DeliveryDocument,
  deliveryIdOf,
  EVENT_MODEL,
  EventDocument,
  persistenceModels,
  WEBHOOK_MODEL,
  WebhookDocument,
} from '@app/persistence';
import { ORIGIN_CONNECTION_CAP } from '../../apps/dispatcher/src/policy/delivery-policy';
import { envelopeBody, webhookHeaders } from '../../apps/dispatcher/src/dispatch/webhook-request';
import { classifyError } from '../../apps/dispatcher/src/http/classify-error';

/*
 * The least work a persisted delivery needs, as one process (least-work-baseline.ts forks it): per
 * Kafka batch of delivery commands, one read of their events and one of their webhooks, a POST each
 * through one undici pool per origin, one unordered insertMany of the attempts, one unordered bulkWrite
 * of the delivery rows by `_id`, then the batch's offset committed. No claims, no log topic, no
 * validation beyond JSON, no retries: what the dispatcher does beyond this is what the comparison prices.
 */

/** Passed as the process's one argument, in JSON. */
export interface LeastWorkConfig {
  kafkaBrokers: string;
  mongoUri: string;
  topic: string;
  groupId: string;
  clientId: string;
}

/** `_id: {$in}` reaches FerretDB's _id index up to this many values (libs/persistence lookup-by-id.ts). */
const IDS_PER_QUERY = 1_000;
/** As the dispatcher's command consumer. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 4;

const config = JSON.parse(process.argv[2]) as LeastWorkConfig;
const defaults = new Environment();
const collectionOf = (model: string) =>
  persistenceModels.find(({ name }) => name === model)!.schema.get('collection') as string;

async function byIds<T extends { _id: string }>(collection: Collection<T>, ids: string[]): Promise<Map<string, T>> {
  const unique = [...new Set(ids)];
  const found = new Map<string, T>();
  for (let start = 0; start < unique.length; start += IDS_PER_QUERY) {
    const filter = { _id: { $in: unique.slice(start, start + IDS_PER_QUERY) } } as Filter<T>;
    for (const document of await collection.find(filter).toArray()) found.set(document._id, document as T);
  }
  return found;
}

async function main(): Promise<void> {
  const mongo = await new MongoClient(config.mongoUri, { maxPoolSize: defaults.MONGODB_MAX_POOL_SIZE }).connect();
  const db = mongo.db();
  const events = db.collection<EventDocument>(collectionOf(EVENT_MODEL));
  const webhooks = db.collection<WebhookDocument>(collectionOf(WEBHOOK_MODEL));
  const deliveries = db.collection<DeliveryDocument>(collectionOf(DELIVERY_MODEL));
  const attempts = db.collection<DeliveryAttemptDocument>(collectionOf(DELIVERY_ATTEMPT_MODEL));
  // An Agent keeps one pool per origin.
  const agent = new Agent({ connections: ORIGIN_CONNECTION_CAP, keepAliveTimeout: 30_000 });

  const deliver = async (command: DeliveryCommandV1, event: EventDocument, webhook: WebhookDocument) => {
    const startedAt = new Date();
    const body = envelopeBody(event);
    const began = performance.now();
    let statusCode: number | null = null;
    let errorKind: DeliveryErrorKind | null = null;
    let errorMessage: string | null = null;
    let excerpt: string | null = null;
    try {
      const response = await request(webhook.url, {
        method: 'POST',
        headers: webhookHeaders(event._id, body, webhook.secrets, startedAt),
        body,
        dispatcher: agent,
      });
      statusCode = response.statusCode;
      excerpt = await response.body.text();
    } catch (error) {
      ({ errorKind, message: errorMessage } = classifyError(error));
    }
    const success = statusCode !== null && statusCode >= 200 && statusCode < 300;
    const log: DeliveryLogV1 = {
      version: 1,
      attemptId: randomUUID(),
      tenantId: event.tenantId,
      eventId: event._id,
      webhookId: webhook._id,
      url: webhook.url,
      commandId: command.commandId!,
      trigger: command.trigger!,
      attemptNumber: 1,
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - began),
      success,
      statusCode,
      errorKind,
      errorMessage,
      responseBodyExcerpt: excerpt,
      scheduledFailures: 0,
      deliveryStatus: success ? DeliveryStatus.Delivered : DeliveryStatus.Failed,
      nextAttemptAt: null,
    };
    return log;
  };

  const onBatch = async (batch: Batch, heartbeat: () => Promise<void>) => {
    const commands = batch.messages.map((message) => JSON.parse(message.value!.toString()) as DeliveryCommandV1);
    const [eventsById, webhooksById] = await Promise.all([
      byIds<EventDocument>(
        events,
        commands.map(({ eventId }) => eventId),
      ),
      byIds<WebhookDocument>(
        webhooks,
        commands.map(({ webhookId }) => webhookId!),
      ),
    ]);
    const logs = await Promise.all(
      commands.map((command) =>
        deliver(command, eventsById.get(command.eventId)!, webhooksById.get(command.webhookId!)!),
      ),
    );
    await heartbeat();
    const now = new Date();
    await attempts.insertMany(
      logs.map((log) => attemptDocumentOf(log, now)),
      { ordered: false },
    );
    // The state the log writer sets (DeliveryRepository.applyAttempts), by `_id` alone.
    const updates: AnyBulkWriteOperation<DeliveryDocument>[] = logs.map((log) => ({
      updateOne: {
        filter: { _id: deliveryIdOf(log.eventId, log.webhookId) },
        update: {
          $max: { attempts: log.attemptNumber, scheduledFailures: 0 },
          $set: {
            url: log.url,
            status: log.deliveryStatus,
            lastAttemptAt: new Date(log.startedAt),
            lastStatusCode: log.statusCode,
            lastErrorKind: log.errorKind,
            heldBy: null,
            nextAttemptAt: null,
            updatedAt: now,
          },
        },
      },
    }));
    await deliveries.bulkWrite(updates, { ordered: false });
    await consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
    ]);
  };

  const consumer = new Kafka({
    clientId: config.clientId,
    brokers: config.kafkaBrokers.split(','),
    logLevel: logLevel.WARN,
  }).consumer({
    groupId: config.groupId,
    allowAutoTopicCreation: false,
    maxBytes: defaults.KAFKA_FETCH_MAX_BYTES,
    maxBytesPerPartition: Math.floor(defaults.KAFKA_FETCH_MAX_BYTES / 4),
  });
  await consumer.connect();
  await consumer.subscribe({ topic: config.topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
    eachBatch: async ({ batch, heartbeat }) => {
      if (batch.isEmpty()) return;
      await onBatch(batch, heartbeat);
    },
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    console.error(`least-work baseline: consumer crashed: ${payload.error.stack ?? payload.error.message}`);
    process.exit(1);
  });
  process.send?.({ type: 'ready' });
  process.on('message', async (message: { type: string }) => {
    if (message.type !== 'stop') return;
    await consumer.disconnect();
    await agent.close();
    await mongo.close();
    process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: Error) => {
  console.error(`least-work baseline: ${error.stack ?? error}`);
  process.exit(1);
});
