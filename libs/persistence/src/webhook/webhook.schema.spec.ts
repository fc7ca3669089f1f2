import { newWebhook, SealedSecret } from './webhook.schema';

describe('newWebhook', () => {
  const now = new Date('2026-11-29T10:00:00.000Z');
  const secrets = [{ secret: 'v1:sealed' as SealedSecret, createdAt: now, expiresAt: null }];

  it('is enabled, for every event type, in no particular order, with no delivery history', () => {
    expect(newWebhook({ _id: 'w1', tenantId: 't1', url: 'https://example.com/hook', secrets }, now)).toEqual({
      _id: 'w1',
      tenantId: 't1',
      url: 'https://example.com/hook',
      eventTypes: [],
      description: '',
      active: true,
      fifo: false,
      secrets,
      rateLimit: null,
      timeoutMs: null,
      headers: [],
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
      lastSuccessAt: null,
      createdAt: now,
      updatedAt: now,
    });
  });

  it('keeps the given event types, description and ordering, and treats undefined as not given', () => {
    const webhook = newWebhook(
      { _id: 'w1', tenantId: 't1', url: 'https://example.com/hook', secrets, eventTypes: ['order.paid'], fifo: true },
      now,
    );
    expect(webhook).toMatchObject({ eventTypes: ['order.paid'], fifo: true, description: '' });
    const unset = newWebhook(
      { _id: 'w1', tenantId: 't1', url: 'https://example.com/hook', secrets, eventTypes: undefined, fifo: undefined },
      now,
    );
    expect(unset).toMatchObject({ eventTypes: [], fifo: false });
  });

  it('is disabled from the start, since now, when created with a reason', () => {
    const webhook = newWebhook(
      {
        _id: 'w1',
        tenantId: 't1',
        url: 'https://example.com/hook',
        secrets,
        disabledReason: 'Disabled through the API',
      },
      now,
    );
    expect(webhook).toMatchObject({ active: false, disabledReason: 'Disabled through the API', disabledAt: now });
  });
});
