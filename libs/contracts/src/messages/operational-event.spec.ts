import { parseMessage } from '../validation/parse-message';
import { EventPublishedV1 } from './event-published.v1';
import { isOperationalEventType, OperationalEventType, operationalEventIdOf } from './operational-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('operational events', () => {
  it('derive the same UUID from the same fact, and different ones from different facts', () => {
    const fact = 'endpoint.disabled:wh-1:2030-01-01T00:00:00.000Z';
    expect(operationalEventIdOf(fact)).toMatch(UUID);
    expect(operationalEventIdOf(fact)).toBe(operationalEventIdOf(fact));
    expect(operationalEventIdOf('endpoint.disabled:wh-1:2030-01-01T00:00:00.001Z')).not.toBe(
      operationalEventIdOf(fact),
    );
  });

  it.each([
    ['endpoint.disabled', true],
    ['endpoint.enabled', true],
    ['retry_job.finished', true],
    ['endpoint.disabled.v2', false],
    ['invoice.paid', false],
    ['webhook.test', false],
  ])('%s is operational: %s', (type, operational) => {
    expect(isOperationalEventType(type)).toBe(operational);
  });

  it.each(Object.values(OperationalEventType))('a published event of type %s is refused with the reason', (type) => {
    const raw = Buffer.from(JSON.stringify({ version: 1, tenantId: 't1', type, payload: {} }));
    expect(parseMessage(EventPublishedV1, raw)).toEqual({
      ok: false,
      reason: expect.stringContaining(`type ${type} is reserved for operational webhooks`),
    });
  });

  it('a published event of an ordinary type passes', () => {
    const raw = Buffer.from(JSON.stringify({ version: 1, tenantId: 't1', type: 'invoice.paid', payload: {} }));
    expect(parseMessage(EventPublishedV1, raw)).toMatchObject({ ok: true });
  });
});
