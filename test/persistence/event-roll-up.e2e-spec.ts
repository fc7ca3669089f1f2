import { randomUUID } from 'node:crypto';
import { DeliveryStatus } from '@app/contracts';
import { asTenantId, EventDocument, EventRepository, EventStatus } from '@app/persistence';
import { TestDatabase } from '../support/test-database';

/**
 * The log writer's roll-up of events with one target, written without a read: each conditional write
 * applies only to an event whose one target is that webhook in another state, on the real test database.
 */
describe('EventRepository.setSingleTargetStatuses', () => {
  let db: TestDatabase;
  let events: EventRepository;
  const tenantId = asTenantId(`tenant-${randomUUID()}`);

  beforeAll(async () => {
    db = await TestDatabase.connect('event_roll_up');
    events = new EventRepository(db.events);
  });

  afterAll(async () => {
    await db?.close();
  });

  const stored = async (eventId: string) =>
    (await db.events.collection.findOne<EventDocument>({ _id: eventId as never }))!;

  it('sets the status of events with one target, and answers that every write applied', async () => {
    const webhook = await db.createWebhook(tenantId, 'https://receiver.example/one');
    const first = await db.createEvent(tenantId, 'order.paid', { n: 1 }, [webhook]);
    const second = await db.createEvent(tenantId, 'order.paid', { n: 2 }, [webhook]);

    const applied = await events.setSingleTargetStatuses([
      { eventId: first._id, webhookId: webhook._id, status: DeliveryStatus.Delivered },
      { eventId: second._id, webhookId: webhook._id, status: DeliveryStatus.Failed },
    ]);

    expect(applied).toBe(true);
    expect(await stored(first._id)).toMatchObject({
      status: EventStatus.Delivered,
      targets: [{ webhookId: webhook._id, status: DeliveryStatus.Delivered }],
      payloadJson: JSON.stringify({ n: 1 }),
    });
    expect(await stored(second._id)).toMatchObject({
      status: EventStatus.Failed,
      targets: [{ webhookId: webhook._id, status: DeliveryStatus.Failed }],
    });
  });

  it('leaves alone an event with other targets, another webhook or the same state, and says so', async () => {
    const a = await db.createWebhook(tenantId, 'https://receiver.example/a');
    const b = await db.createWebhook(tenantId, 'https://receiver.example/b');
    const twoTargets = await db.createEvent(tenantId, 'order.paid', {}, [a, b]);
    const otherWebhook = await db.createEvent(tenantId, 'order.paid', {}, [b]);
    const unchanged = await db.createEvent(tenantId, 'order.paid', {}, [a]);
    const moves = [
      { eventId: twoTargets._id, webhookId: a._id, status: DeliveryStatus.Delivered },
      { eventId: otherWebhook._id, webhookId: a._id, status: DeliveryStatus.Delivered },
      { eventId: unchanged._id, webhookId: a._id, status: DeliveryStatus.Pending },
    ];

    for (const move of moves) expect(await events.setSingleTargetStatuses([move])).toBe(false);

    expect(await stored(twoTargets._id)).toMatchObject({
      status: EventStatus.Pending,
      targets: [
        { webhookId: a._id, status: DeliveryStatus.Pending },
        { webhookId: b._id, status: DeliveryStatus.Pending },
      ],
    });
    expect(await stored(otherWebhook._id)).toMatchObject({
      status: EventStatus.Pending,
      targets: [{ webhookId: b._id, status: DeliveryStatus.Pending }],
    });
    expect((await stored(unchanged._id)).status).toBe(EventStatus.Pending);
  });

  it('applies the writes that match in a batch where others do not', async () => {
    const a = await db.createWebhook(tenantId, 'https://receiver.example/batch-a');
    const b = await db.createWebhook(tenantId, 'https://receiver.example/batch-b');
    const single = await db.createEvent(tenantId, 'order.paid', {}, [a]);
    const double = await db.createEvent(tenantId, 'order.paid', {}, [a, b]);

    const applied = await events.setSingleTargetStatuses([
      { eventId: single._id, webhookId: a._id, status: DeliveryStatus.Retrying },
      { eventId: double._id, webhookId: a._id, status: DeliveryStatus.Retrying },
    ]);

    expect(applied).toBe(false);
    expect((await stored(single._id)).status).toBe(EventStatus.Delivering);
    expect((await stored(double._id)).status).toBe(EventStatus.Pending);
  });
});
