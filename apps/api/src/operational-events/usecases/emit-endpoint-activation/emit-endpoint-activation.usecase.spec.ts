import { WebhookDocument } from '@app/persistence';
import { EmitOperationalEventUseCase } from '../emit-operational-event/emit-operational-event.usecase';
import { EmitEndpointActivationUseCase } from './emit-endpoint-activation.usecase';

const at = new Date('2030-01-01T00:00:00.000Z');
const webhook = (changes: Partial<WebhookDocument>): WebhookDocument =>
  ({
    _id: 'wh-a',
    tenantId: 't1',
    url: 'https://receiver.test/a',
    active: true,
    disabledReason: null,
    disabledAt: null,
    updatedAt: at,
    ...changes,
  }) as WebhookDocument;
const off = webhook({ active: false, disabledReason: 'Disabled through the API', disabledAt: at });
const gone = webhook({ active: false, disabledReason: 'The endpoint answered 410 Gone', disabledAt: at });
const on = webhook({});

describe('EmitEndpointActivationUseCase', () => {
  const setUp = () => {
    const emit = { execute: jest.fn(async () => undefined) };
    return { emit, useCase: new EmitEndpointActivationUseCase(emit as unknown as EmitOperationalEventUseCase) };
  };

  it.each([
    ['on, switched off', on, off, 'endpoint.disabled'],
    ['disabled by the service, switched on', gone, on, 'endpoint.enabled'],
    ['off, switched on', off, on, 'endpoint.enabled'],
  ])('emits for a webhook %s', async (_case, before, after, type) => {
    const { emit, useCase } = setUp();
    await useCase.execute({ before, after, requestedBy: 'tok-1' });
    expect(emit.execute).toHaveBeenCalledWith({
      tenantId: 't1',
      type,
      fact: `${type}:wh-a:${at.toISOString()}`,
      payload:
        type === 'endpoint.disabled'
          ? {
              webhookId: 'wh-a',
              url: 'https://receiver.test/a',
              reason: 'manual',
              message: 'Disabled through the API',
              disabledAt: at.toISOString(),
            }
          : { webhookId: 'wh-a', url: 'https://receiver.test/a', enabledAt: at.toISOString() },
      requestedBy: 'tok-1',
    });
  });

  it.each([
    ['stays on', on, on],
    ['stays off', off, off],
    ['disabled by the service stays off', gone, gone],
  ])('emits nothing for a webhook that %s', async (_case, before, after) => {
    const { emit, useCase } = setUp();
    await useCase.execute({ before, after, requestedBy: 'tok-1' });
    expect(emit.execute).not.toHaveBeenCalled();
  });
});
