import { ConflictException } from '@nestjs/common';
import { DeliveryStatus, DeliveryRequest } from '@app/contracts';
import {
  asTenantId,
  DeliveryDocument,
  DeliveryRepository,
  DeliveryTarget,
  EventDocument,
  EventRepository,
  EventStatus,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '@app/kafka';
import { CreateEventUseCase } from './create-event.usecase';

const tenantId = asTenantId('acme');
const subscriber = { _id: 'w1', tenantId, url: 'https://example.com/hook', active: true, eventTypes: [] };

function setUp(
  options: { taken?: EventDocument | null; publishFails?: boolean; rows?: Partial<DeliveryDocument>[] } = {},
) {
  const calls: string[] = [];
  const planned: { targets: DeliveryTarget[]; expectNew?: boolean }[] = [];
  const published: DeliveryRequest[] = [];
  const events = {
    insert: async () => (calls.push('insert event'), options.taken === undefined),
    findByIdempotencyKey: async () => (calls.push('read by key'), options.taken ?? null),
    deleteUnpublished: async () => calls.push('roll back'),
  } as unknown as EventRepository;
  const webhooks = {
    findActiveSubscribers: async () => (calls.push('read subscribers'), [subscriber as unknown as WebhookDocument]),
  } as unknown as WebhookRepository;
  const deliveries = {
    ensureTargets: async (targets: DeliveryTarget[], opts?: { expectNew?: boolean }) => {
      calls.push('insert rows');
      planned.push({ targets, expectNew: opts?.expectNew });
    },
    findByEvent: async () => (calls.push('read rows'), options.rows ?? []),
  } as unknown as DeliveryRepository;
  const publisher = {
    publish: async (requests: DeliveryRequest[]) => {
      calls.push('publish');
      if (options.publishFails) throw new Error('KafkaJSConnectionError');
      published.push(...requests);
    },
  } as unknown as DeliveryCommandPublisher;
  const useCase = new CreateEventUseCase(events, webhooks, deliveries, publisher);
  const create = (idempotencyKey?: string) =>
    useCase.execute({ tenantId, requestedBy: 't1', type: 'invoice.paid', payload: { n: 1 }, idempotencyKey });
  return { create, calls, planned, published };
}

describe('CreateEventUseCase', () => {
  it('reads the subscribers, inserts the event and its rows (no read first), then publishes', async () => {
    const { create, calls, planned, published } = setUp();
    const result = await create('key-1');
    expect(calls).toEqual(['read subscribers', 'insert event', 'insert rows', 'publish']);
    expect(result).toMatchObject({ created: true, event: { webhookCount: 1, status: EventStatus.Pending } });
    expect(planned).toEqual([{ targets: [expect.objectContaining({ webhookId: 'w1' })], expectNew: true }]);
    expect(published).toEqual([
      expect.objectContaining({ webhookId: 'w1', trigger: 'initial', commandId: expect.any(String) }),
    ]);
  });

  it('answers a repeated idempotency key with the stored event, read only once its insert was refused', async () => {
    const stored = { _id: 'e0', tenantId, type: 'invoice.paid', status: EventStatus.Delivered, webhookCount: 1 };
    const { create, calls, published } = setUp({ taken: stored as unknown as EventDocument });
    await expect(create('key-1')).resolves.toMatchObject({ created: false, event: { eventId: 'e0' } });
    expect(calls).toEqual(['read subscribers', 'insert event', 'read by key']);
    expect(published).toEqual([]);
  });

  it('publishes the unstarted initial commands again when the stored event is still pending', async () => {
    const stored = { _id: 'e0', tenantId, type: 'invoice.paid', status: EventStatus.Pending, webhookCount: 1 };
    const rows = [{ webhookId: 'w1', attempts: 0, status: DeliveryStatus.Pending }];
    const { create, published } = setUp({ taken: stored as unknown as EventDocument, rows });
    await create('key-1');
    expect(published).toEqual([expect.objectContaining({ eventId: 'e0', webhookId: 'w1', trigger: 'initial' })]);
  });

  it('asks the client to try again when the key’s event was rolled back before it could be read', async () => {
    const { create } = setUp({ taken: null });
    await expect(create('key-1')).rejects.toBeInstanceOf(ConflictException);
  });

  it('rolls the event back when the publish fails', async () => {
    const { create, calls } = setUp({ publishFails: true });
    await expect(create()).rejects.toThrow('KafkaJSConnectionError');
    expect(calls.at(-1)).toBe('roll back');
  });
});
