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
 * Requests running at the same time share their round trips to the database: event creations one
 * subscriber read, one event insert and one insert of delivery rows; retries and GETs one read by id. Each
 * caller still gets its own answer: a duplicate idempotency key refuses only its own event, each event type
 * gets only its subscribers, and a document by id only its own tenant's.
 */
describe('Round trips shared by concurrent requests', () => {
  let db: TestDatabase;
  let monitored: Connection;
  let events: EventRepository;
  let deliveries: DeliveryRepository;
  let webhooks: WebhookRepository;
  const commands: { name: string; collection: unknown }[] = [];

  beforeAll(async () => {
    db = await TestDatabase.connect('coalesced_round_trips');
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

  it("reads a tenant's documents by id together, each answer checked against its own tenant", async () => {
    const owner = asTenantId(`tenant-${randomUUID()}`);
    const stranger = asTenantId(`tenant-${randomUUID()}`);
    const webhook = await db.createWebhook(owner, 'https://receiver.example/by-id');
    const stored = await Promise.all(
      Array.from({ length: 12 }, () => db.createEvent(owner, 'order.paid', {}, [webhook])),
    );
    const missing = randomUUID();

    const [found, foreign, absent, ownWebhook, foreignWebhook] = await Promise.all([
      Promise.all(stored.map((event) => events.findById(owner, event._id))),
      events.findById(stranger, stored[0]._id),
      events.findById(owner, missing),
      webhooks.findById(owner, webhook._id),
      webhooks.findById(stranger, webhook._id),
    ]);

    expect(found.map((event) => event?._id)).toEqual(stored.map(({ _id }) => _id));
    expect([foreign, absent, foreignWebhook]).toEqual([null, null, null]);
    expect(ownWebhook?._id).toBe(webhook._id);
    expect(commandsOn('find', 'events')).toBeLessThanOrEqual(2);
  });

  it('answers each caller with the active webhooks of its own tenants, from one read', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()].map((id) => asTenantId(`tenant-${id}`));
    const ofA = await db.createWebhook(a, 'https://receiver.example/a');
    const ofB = await db.createWebhook(b, 'https://receiver.example/b');
    const ofC = await db.createWebhook(c, 'https://receiver.example/c');

    const answers = await Promise.all([
      webhooks.findActiveOfTenants([a]),
      webhooks.findActiveOfTenants([b, c]),
      webhooks.findActiveOfTenants([c]),
      webhooks.findActiveOfTenants([a, c]),
    ]);

    expect(answers.map((answer) => answer.map(({ _id }) => _id))).toEqual([
      [ofA._id],
      [ofB._id, ofC._id],
      [ofC._id],
      [ofA._id, ofC._id],
    ]);
    expect(commandsOn('find', 'webhooks')).toBeLessThanOrEqual(2);
  });

  it("reads a dispatch batch's events in one command, past the driver's first batch of 101", async () => {
    const tenantId = `tenant-${randomUUID()}`;
    const stored = Array.from({ length: 300 }, () => newEvent(tenantId));
    await db.events.collection.insertMany(stored as never[]);
    commands.splice(0);

    const read = await events.findManyForDispatch(stored.map(({ _id }) => _id));

    expect(read.map(({ _id }) => _id).sort()).toEqual(stored.map(({ _id }) => _id).sort());
    expect(commandsOn('find', 'events')).toBe(1);
    expect(commands.filter(({ name }) => name === 'getMore')).toHaveLength(0);
  });
});
