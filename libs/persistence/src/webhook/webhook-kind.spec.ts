import { kindFilter, kindOf, kindReceiving, WebhookKind } from './webhook-kind';
import { subscribesTo } from './webhook.schema';

describe('webhook kinds', () => {
  it('takes a webhook stored without a kind for an ordinary one', () => {
    expect(kindOf({ eventTypes: [] })).toBe(WebhookKind.Ordinary);
    expect(kindOf({ eventTypes: [], kind: WebhookKind.Operational })).toBe(WebhookKind.Operational);
  });

  it.each([
    ['endpoint.disabled', WebhookKind.Operational],
    ['endpoint.enabled', WebhookKind.Operational],
    ['retry_job.finished', WebhookKind.Operational],
    ['invoice.paid', WebhookKind.Ordinary],
    ['webhook.test', WebhookKind.Ordinary],
  ])('sends %s to %s webhooks', (type, kind) => {
    expect(kindReceiving(type)).toBe(kind);
  });

  it('filters ordinary webhooks with $ne, so that those without a kind match', () => {
    expect(kindFilter(WebhookKind.Ordinary)).toEqual({ kind: { $ne: WebhookKind.Operational } });
    expect(kindFilter(WebhookKind.Operational)).toEqual({ kind: WebhookKind.Operational });
  });

  const ordinary = (eventTypes: string[]) => ({ eventTypes });
  const operational = (eventTypes: string[]) => ({ eventTypes, kind: WebhookKind.Operational });
  it.each([
    ['an ordinary webhook of all types', ordinary([]), 'invoice.paid', true],
    ['an ordinary webhook of all types', ordinary([]), 'endpoint.disabled', false],
    ['an ordinary webhook naming the type', ordinary(['endpoint.disabled']), 'endpoint.disabled', false],
    ['an ordinary webhook of other types', ordinary(['invoice.sent']), 'invoice.paid', false],
    ['an operational webhook of all types', operational([]), 'endpoint.disabled', true],
    ['an operational webhook of all types', operational([]), 'invoice.paid', false],
    ['an operational webhook naming the type', operational(['retry_job.finished']), 'retry_job.finished', true],
    ['an operational webhook of other types', operational(['endpoint.enabled']), 'endpoint.disabled', false],
  ])('%s receives %s: %s', (_case, webhook, type, receives) => {
    expect(subscribesTo(webhook, type)).toBe(receives);
  });
});
