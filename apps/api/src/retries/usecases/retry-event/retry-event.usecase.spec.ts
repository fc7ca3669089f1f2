import { ConflictException, NotFoundException } from '@nestjs/common';
import { DeliveryStatus, DeliveryRequest } from '@app/contracts';
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
import { RetryEventUseCase } from './retry-event.usecase';

const tenantId = asTenantId('acme');
const webhook = (id: string, extra: Partial<WebhookDocument> = {}) =>
  ({ _id: id, tenantId, url: `https://example.com/${id}`, active: true, eventTypes: [], ...extra }) as WebhookDocument;
const event = (targets: string[] | undefined) =>
  ({
    _id: 'e1',
    tenantId,
    type: 'invoice.paid',
    targets: targets?.map((webhookId) => ({ webhookId, status: DeliveryStatus.Pending })),
  }) as unknown as EventDocument;

function setUp(stored: { event: EventDocument | null; webhooks: WebhookDocument[] }) {
  const planned: { targets: DeliveryTarget[]; expectNew?: boolean }[] = [];
  const published: DeliveryRequest[] = [];
  const reads: string[] = [];
  const events = {
    findById: async () => (reads.push('event'), stored.event),
  } as unknown as EventRepository;
  const webhooks = {
    findById: async (_tenant: string, id: string) => (
      reads.push('webhook'),
      stored.webhooks.find((w) => w._id === id) ?? null
    ),
    findActiveOfTenants: async () => (reads.push('active webhooks'), stored.webhooks.filter((w) => w.active)),
  } as unknown as WebhookRepository;
  const deliveries = {
    ensureTargets: async (targets: DeliveryTarget[], options?: { expectNew?: boolean }) => {
      planned.push({ targets, expectNew: options?.expectNew });
    },
  } as unknown as DeliveryRepository;
  const publisher = {
    publish: async (requests: DeliveryRequest[]) => published.push(...requests),
  } as unknown as DeliveryCommandPublisher;
  const useCase = new RetryEventUseCase(events, webhooks, deliveries, publisher);
  const retry = (webhookId?: string) => useCase.execute({ tenantId, tokenId: 't1', eventId: 'e1', webhookId });
  return { retry, planned, published, reads };
}

describe('RetryEventUseCase', () => {
  it('retries to the active subscribers of the event’s type from one read of the event and one of the webhooks', async () => {
    const { retry, planned, published, reads } = setUp({
      event: event(['paid', 'all']),
      webhooks: [
        webhook('paid', { eventTypes: ['invoice.paid'] }),
        webhook('all'),
        webhook('voided', { eventTypes: ['invoice.voided'] }),
        webhook('off', { active: false }),
      ],
    });
    await expect(retry()).resolves.toEqual({
      eventId: 'e1',
      webhookCount: 2,
      message: 'Event queued for retry to 2 webhook(s)',
    });
    expect(reads.sort()).toEqual(['active webhooks', 'event']);
    expect(published.map((request) => [request.webhookId, request.trigger, request.requestedBy])).toEqual([
      ['paid', 'manual', 't1'],
      ['all', 'manual', 't1'],
    ]);
    // Both were targets of the event: their rows exist, nothing is written.
    expect(planned.flatMap((call) => call.targets)).toEqual([]);
  });

  it.each([
    ['a webhook subscribed since the event', undefined, [webhook('old'), webhook('late')], 'late'],
    ['a named webhook the event was not created for', 'named', [webhook('named', { eventTypes: ['x'] })], 'named'],
  ])('plans the row of %s, inserting it first', async (_label, webhookId, webhooks, expected) => {
    const { retry, planned } = setUp({ event: event(['old']), webhooks });
    await retry(webhookId);
    expect(planned).toEqual([
      {
        targets: [{ tenantId, eventId: 'e1', webhookId: expected, url: `https://example.com/${expected}` }],
        expectNew: true,
      },
    ]);
  });

  it('checks every row by reading first for an event stored before targets were recorded', async () => {
    const { retry, planned } = setUp({ event: event(undefined), webhooks: [webhook('a')] });
    await retry();
    expect(planned).toEqual([{ targets: [expect.objectContaining({ webhookId: 'a' })], expectNew: false }]);
  });

  it('answers Event not found before anything about the webhook', async () => {
    const { retry, published } = setUp({ event: null, webhooks: [] });
    await expect(retry('unknown')).rejects.toEqual(new NotFoundException('Event not found'));
    expect(published).toEqual([]);
  });

  it.each([
    ['an unknown', [], new NotFoundException('Webhook not found')],
    ['a disabled', [webhook('w', { active: false })], new ConflictException('Webhook is disabled')],
  ])('refuses %s named webhook and publishes nothing', async (_label, webhooks, refusal) => {
    const { retry, published, planned } = setUp({ event: event([]), webhooks });
    await expect(retry('w')).rejects.toEqual(refusal);
    expect(published).toEqual([]);
    expect(planned).toEqual([]);
  });
});
