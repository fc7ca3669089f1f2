import { ConflictException, NotFoundException } from '@nestjs/common';
import { DeliveryTrigger, DeliveryRequest } from '@app/contracts';
import {
  asTenantId,
  DeliveryRepository,
  DeliveryTarget,
  EventDocument,
  EventRepository,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { DeliveryCommandPublisher } from '@app/kafka';
import { CreateEventUseCase } from '../../../events/usecases/create-event/create-event.usecase';
import { GetWebhookUseCase } from '../get-webhook/get-webhook.usecase';
import { SendTestEventUseCase } from './send-test-event.usecase';

const tenantId = asTenantId('acme');
// Subscribed to another type only: a test event goes to it all the same.
const webhook = { _id: 'w1', tenantId, url: 'https://example.com/hook', active: true, eventTypes: ['invoice.paid'] };

function setUp(found: Partial<WebhookDocument> | null = webhook) {
  const stored: EventDocument[] = [];
  const planned: DeliveryTarget[] = [];
  const published: DeliveryRequest[] = [];
  const events = {
    insert: async (event: EventDocument) => (stored.push(event), true),
  } as unknown as EventRepository;
  const webhooks = {
    findById: async () => found,
    findActiveSubscribers: async () => {
      throw new Error('a test event must not read the subscribers of its type');
    },
  } as unknown as WebhookRepository;
  const deliveries = {
    ensureTargets: async (targets: DeliveryTarget[]) => void planned.push(...targets),
  } as unknown as DeliveryRepository;
  const publisher = {
    publish: async (requests: DeliveryRequest[]) => void published.push(...requests),
  } as unknown as DeliveryCommandPublisher;
  const useCase = new SendTestEventUseCase(
    new GetWebhookUseCase(webhooks),
    new CreateEventUseCase(events, webhooks, deliveries, publisher),
  );
  return { useCase, stored, planned, published };
}

describe('SendTestEventUseCase', () => {
  it('stores a webhook.test event targeting only the named webhook, whatever its eventTypes', async () => {
    const { useCase, stored, planned, published } = setUp();
    const event = await useCase.execute({ tenantId, requestedBy: 't1', webhookId: 'w1' });
    expect(event).toMatchObject({ type: 'webhook.test', webhookCount: 1, status: 'pending' });
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].payloadJson)).toEqual({ message: 'This is a test event' });
    expect(stored[0].targets?.map((target) => target.webhookId)).toEqual(['w1']);
    expect(planned).toEqual([{ tenantId, eventId: event.eventId, webhookId: 'w1', url: webhook.url }]);
    expect(published).toEqual([
      expect.objectContaining({ eventId: event.eventId, webhookId: 'w1', trigger: DeliveryTrigger.Initial }),
    ]);
  });

  it('delivers the payload given', async () => {
    const { useCase, stored } = setUp();
    await useCase.execute({ tenantId, requestedBy: 't1', webhookId: 'w1', payload: { ping: 1 } });
    expect(JSON.parse(stored[0].payloadJson)).toEqual({ ping: 1 });
  });

  it.each([
    ['an unknown webhook (or another tenant’s)', null, NotFoundException],
    ['a disabled webhook', { ...webhook, active: false }, ConflictException],
  ])('refuses %s and stores nothing', async (_name, found, error) => {
    const { useCase, stored, published } = setUp(found);
    await expect(useCase.execute({ tenantId, requestedBy: 't1', webhookId: 'w1' })).rejects.toBeInstanceOf(error);
    expect(stored).toEqual([]);
    expect(published).toEqual([]);
  });
});
