import {
  DeliveryCommandV1,
  DeliveryRequest,
  EndpointDisabledReason,
  initialCommandIdOf,
  OperationalEventType,
  operationalEventIdOf,
} from '@app/contracts';
import { DeliveryCommandPublisher } from '@app/kafka';
import {
  DeliveryRepository,
  EventDocument,
  EventRepository,
  WebhookDocument,
  WebhookRepository,
} from '@app/persistence';
import { GONE_DISABLE_REASON } from '../policy/delivery-policy';
import { EmitEndpointDisabledUseCase } from './emit-endpoint-disabled.usecase';

const at = new Date('2030-01-01T00:00:00.000Z');
const webhook = (changes: Partial<WebhookDocument>): WebhookDocument =>
  ({
    _id: 'wh-a',
    tenantId: 't1',
    url: 'https://receiver.test/a',
    active: false,
    disabledAt: at,
    disabledReason: GONE_DISABLE_REASON,
    ...changes,
  }) as WebhookDocument;
const operational = { _id: 'ops-1', url: 'https://ops.test/hook' } as WebhookDocument;

function setUp(stored: WebhookDocument[], eventStored = false) {
  const webhooks = {
    findByIdsOfAnyTenant: jest.fn(async () => stored),
    findActiveSubscribers: jest.fn(async () => [operational]),
  };
  const events = { insert: jest.fn(async (_event: EventDocument) => !eventStored) };
  const deliveries = { ensureTargets: jest.fn(async () => undefined) };
  const publisher = { publish: jest.fn(async (_requests: DeliveryRequest[]) => [] as DeliveryCommandV1[]) };
  const useCase = new EmitEndpointDisabledUseCase(
    webhooks as unknown as WebhookRepository,
    events as unknown as EventRepository,
    deliveries as unknown as DeliveryRepository,
    publisher as unknown as DeliveryCommandPublisher,
  );
  return { useCase, webhooks, events, deliveries, publisher };
}

describe('EmitEndpointDisabledUseCase', () => {
  it.each([
    ['a 410 disable this write made', webhook({}), EndpointDisabledReason.Gone],
    [
      'an auto-disable this write made',
      webhook({ disabledReason: 'No successful delivery since 2029-12-25T00:00:00.000Z' }),
      EndpointDisabledReason.Failing,
    ],
  ])('emits endpoint.disabled for %s, to the operational webhooks', async (_case, stored, reason) => {
    const { useCase, events, deliveries, publisher } = setUp([stored]);

    await useCase.execute([{ webhookId: 'wh-a', at, disableReason: stored.disabledReason }]);

    const fact = `${OperationalEventType.EndpointDisabled}:wh-a:${at.toISOString()}`;
    const eventId = operationalEventIdOf(fact);
    const event = events.insert.mock.calls[0][0];
    expect(event).toMatchObject({ _id: eventId, tenantId: 't1', type: 'endpoint.disabled', idempotencyKey: fact });
    expect(JSON.parse(event.payloadJson)).toEqual({
      webhookId: 'wh-a',
      url: 'https://receiver.test/a',
      reason,
      message: stored.disabledReason,
      disabledAt: at.toISOString(),
    });
    expect(deliveries.ensureTargets).toHaveBeenCalledWith([
      { tenantId: 't1', eventId, webhookId: 'ops-1', url: 'https://ops.test/hook' },
    ]);
    expect(publisher.publish).toHaveBeenCalledWith([
      expect.objectContaining({ eventId, webhookId: 'ops-1', commandId: initialCommandIdOf(eventId, 'ops-1') }),
    ]);
  });

  it.each([
    ['still active (the write found it so and was not made)', webhook({ active: true, disabledAt: null })],
    ['disabled earlier, at another time', webhook({ disabledAt: new Date('2029-12-31T00:00:00.000Z') })],
    ['disabled at that time for another reason', webhook({ disabledReason: 'Disabled through the API' })],
  ])('emits nothing for a webhook %s', async (_case, stored) => {
    const { useCase, events, publisher } = setUp([stored]);

    await useCase.execute([{ webhookId: 'wh-a', at, disableReason: GONE_DISABLE_REASON }]);

    expect(events.insert).not.toHaveBeenCalled();
    expect(publisher.publish).not.toHaveBeenCalled();
  });

  it('reads nothing for a batch without disables', async () => {
    const { useCase, webhooks } = setUp([]);
    await useCase.execute([{ webhookId: 'wh-a', at, disableReason: null }]);
    expect(webhooks.findByIdsOfAnyTenant).not.toHaveBeenCalled();
  });

  it('goes on when the event is stored already (a repeat), with the same ids', async () => {
    const { useCase, deliveries, publisher } = setUp([webhook({})], true);
    await useCase.execute([{ webhookId: 'wh-a', at, disableReason: GONE_DISABLE_REASON }]);
    expect(deliveries.ensureTargets).toHaveBeenCalledTimes(1);
    expect(publisher.publish).toHaveBeenCalledTimes(1);
  });
});
