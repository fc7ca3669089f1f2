import { randomUUID } from 'node:crypto';
import mongoose, { Connection } from 'mongoose';
import {
  asTenantId,
  DELIVERY_MODEL,
  DeliveryRepository,
  DeliverySchema,
  EVENT_MODEL,
  EventDocument,
  EventRepository,
  EventSchema,
  pendingEvent,
  WEBHOOK_MODEL,
  WebhookRepository,
  WebhookSchema,
} from '@app/persistence';
import { TestDatabase } from '../support/test-database';

/**
 * Event creations running at the same time share their round trips: one subscriber read, one event
 * insert and one insert of delivery rows for all of them. Each creation still gets its own answer: a
 * duplicate idempotency key refuses only its own event, and each event type gets only its subscribers.
 */
describe('Event creation writes, coalesced', () => {
  let db: TestDatabase;
  let monitored: Connection;
  let events: EventRepository;
  let deliveries: DeliveryRepository;
  let webhooks: WebhookRepository;
  const commands: { name: string; collection: unknown }[] = [];

  beforeAll(async () => {
    db = await TestDatabase.connect('event_creation_batching');
    monitored = await mongoose.createConnection(db.uri, { monitorCommands: true, autoIndex: false }).asPromise();
    monitored
      .getClient()
      .on('commandStarted', ({ commandName, command }) =>
        commands.push({ name: commandName, collection: command[commandName] }),
      );
    events = new EventRepository(monitored.model(EVENT_MODEL, EventSchema));
    deliveries = new DeliveryRepository(monitored.model(DELIVERY_MODEL, DeliverySchema));
    webhooks = new WebhookRepository(monitored.model(WEBHOOK_MODEL, WebhookSchema));
  });

  afterAll(async () => {
    await monitored?.close();
    await db?.close();
  });

  beforeEach(() => commands.splice(0));

  const commandsOn = (name: string, collection: string) =>
    commands.filter((command) => command.name === name && command.collection === collection).length;

  const newEvent = (tenantId: string, idempotencyKey: string = randomUUID()): EventDocument =>
    pendingEvent(
      { _id: randomUUID(), tenantId, type: 'order.paid', payloadJson: '{}', idempotencyKey },
      [],
      new Date(),
    );

  it('inserts events created at once in fewer commands, refusing only each repeated idempotency key', async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const taken = newEvent(tenantId);
    await db.events.collection.insertOne(taken as never);
    const shared = randomUUID();
    const batch = [
      ...Array.from({ length: 20 }, () => newEvent(tenantId)),
      newEvent(tenantId, taken.idempotencyKey),
      newEvent(tenantId, shared),
      newEvent(tenantId, shared),
    ];

    const inserted = await Promise.all(batch.map((event) => events.insert(event)));

    expect(inserted.slice(0, 20)).toEqual(Array(20).fill(true));
    expect(inserted[20]).toBe(false);
    // Of two events with one key, exactly one is stored; the other creation replays it.
    expect([inserted[21], inserted[22]].sort()).toEqual([false, true]);
    const stored = await db.events.collection.find({ tenantId }).toArray();
    expect(stored).toHaveLength(1 + 20 + 1);
    expect(new Set(stored.map(({ idempotencyKey }) => idempotencyKey)).size).toBe(stored.length);
    // The first insert goes alone; everything pushed meanwhile shares the next.
    expect(commandsOn('insert', 'events')).toBeLessThanOrEqual(3);
  });

  it("answers each creation's subscriber question from one read", async () => {
    const first = asTenantId(`tenant-${randomUUID()}`);
    const second = asTenantId(`tenant-${randomUUID()}`);
    const all = await db.createWebhook(first, 'https://receiver.example/all');
    const paid = await db.createWebhook(first, 'https://receiver.example/paid', { eventTypes: ['order.paid'] });
    const other = await db.createWebhook(second, 'https://receiver.example/other', { eventTypes: ['order.shipped'] });
    await db.webhooks.collection.insertOne({
      ...(await db.webhooks.collection.findOne({ _id: all._id as never })),
      _id: randomUUID() as never,
      active: false,
    });
    const questions: [typeof first, string][] = [
      [first, 'order.paid'],
      [first, 'order.shipped'],
      [second, 'order.shipped'],
      [second, 'order.paid'],
      [first, 'order.paid'],
    ];

    const answers = await Promise.all(questions.map(([tenant, type]) => webhooks.findActiveSubscribers(tenant, type)));

    const ids = answers.map((answer) => answer.map(({ _id }) => _id));
    expect(ids).toEqual([[all._id, paid._id], [all._id], [other._id], [], [all._id, paid._id]]);
    expect(commandsOn('find', 'webhooks')).toBeLessThanOrEqual(2);
  });

  it("inserts new events' delivery rows in fewer commands, each event's rows complete", async () => {
    const tenantId = asTenantId(`tenant-${randomUUID()}`);
    const eventIds = Array.from({ length: 15 }, () => randomUUID());
    const webhookIds = [randomUUID(), randomUUID()];

    await Promise.all(
      eventIds.map((eventId) =>
        deliveries.ensureTargets(
          webhookIds.map((webhookId) => ({ tenantId, eventId, webhookId, url: 'https://receiver.example/rows' })),
          { expectNew: true },
        ),
      ),
    );

    for (const eventId of eventIds) expect(await deliveries.findByEvent(tenantId, eventId)).toHaveLength(2);
    expect(commandsOn('insert', 'deliveries')).toBeLessThanOrEqual(3);
  });
});
