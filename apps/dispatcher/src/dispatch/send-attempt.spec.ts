import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { DeliveryCommand, DeliveryErrorKind, DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';
import {
  EventDocument,
  newWebhook,
  SecretCipher,
  SecretDecryptionError,
  SecretKeyRing,
  sealWebhookSecrets,
  WebhookDocument,
} from '@app/persistence';
import { HttpOutcome, WebhookHttpClient } from '../http/webhook-http-client';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics';
import { DeliveryPolicy } from '../policy/delivery-policy';
import { AttemptTarget, SendAttempt } from './send-attempt';

const now = new Date('2030-01-01T12:00:00.000Z');
const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const cipher = new SecretCipher(new SecretKeyRing(randomBytes(32)));
const policy = {
  retryDelaysMs: [60_000, 600_000],
  jitter: 0.1,
  throttledMinDelayMs: 30_000,
  retryAfterMaxMs: 3_600_000,
  autoDisableAfterMs: 5 * 24 * 3_600_000,
} as DeliveryPolicy;

const event: EventDocument = {
  _id: 'ev-1',
  tenantId: 't1',
  type: 'order.created',
  payloadJson: '{"id":42,"note":"as sent"}',
  idempotencyKey: 'ev-1',
  status: 'pending' as EventDocument['status'],
  webhookCount: 1,
  createdAt: new Date('2030-01-01T11:59:00.000Z'),
  updatedAt: new Date('2030-01-01T11:59:00.000Z'),
};
const webhook = (changes: Partial<WebhookDocument> = {}): WebhookDocument => ({
  ...newWebhook(
    {
      _id: 'wh-1',
      tenantId: 't1',
      url: 'https://receiver.test/hook',
      secrets: sealWebhookSecrets(cipher, 'wh-1', [{ secret, createdAt: now, expiresAt: null }]),
    },
    now,
  ),
  ...changes,
});
const command = (changes: Partial<DeliveryCommand> = {}): DeliveryCommand => ({
  version: 1,
  commandId: 'initial:ev-1:wh-1',
  eventId: 'ev-1',
  webhookId: 'wh-1',
  trigger: DeliveryTrigger.Initial,
  ...changes,
});
const target = (changes: Partial<AttemptTarget> = {}): AttemptTarget => ({
  command: command(),
  event,
  webhook: webhook(),
  delivery: { status: DeliveryStatus.Pending, scheduledFailures: 0, nextAttemptAt: null, attempts: 0 },
  attemptId: 'att-1',
  ...changes,
});
const response = (statusCode: number, changes: Partial<HttpOutcome> = {}): HttpOutcome =>
  ({
    kind: 'response',
    statusCode,
    bodyExcerpt: `answer ${statusCode}`,
    retryAfterMs: null,
    durationMs: 37,
    ...changes,
  }) as HttpOutcome;
const failure = (errorKind: DeliveryErrorKind, message: string): HttpOutcome => ({
  kind: 'error',
  errorKind,
  message,
  durationMs: 5_000,
});

/** The log without its attemptNumber, which the log writer now assigns. */
const withoutNumber = ({ attemptNumber: _number, ...log }: DeliveryLogV1) => log;

describe('SendAttempt', () => {
  let post: jest.Mock<Promise<HttpOutcome>, [URL, Record<string, string>, string]>;
  let metrics: { attemptDuration: { observe: jest.Mock }; deliveries: { inc: jest.Mock } };
  let sendAttempt: SendAttempt;

  beforeEach(() => {
    jest.useFakeTimers({ now });
    jest.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: exact retry times
    post = jest.fn();
    metrics = { attemptDuration: { observe: jest.fn() }, deliveries: { inc: jest.fn() } };
    sendAttempt = new SendAttempt(
      { post } as unknown as WebhookHttpClient,
      policy,
      metrics as unknown as DispatcherMetrics,
      cipher,
    );
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('posts the signed envelope of the event to the webhook URL', async () => {
    post.mockResolvedValue(response(200));
    await sendAttempt.execute(target());

    const [url, headers, body] = post.mock.calls[0];
    expect(url.href).toBe('https://receiver.test/hook');
    expect(JSON.parse(body)).toEqual({
      id: 'ev-1',
      type: 'order.created',
      timestamp: '2030-01-01T11:59:00.000Z',
      data: { id: 42, note: 'as sent' },
    });
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'ev-1',
      'webhook-timestamp': String(now.getTime() / 1000),
    });
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
  });

  it('sends nothing when a live secret does not decrypt, and says why', async () => {
    const otherKey = new SecretCipher(new SecretKeyRing(randomBytes(32)));
    const foreign = sealWebhookSecrets(otherKey, 'wh-1', [{ secret, createdAt: now, expiresAt: null }]);

    await expect(sendAttempt.execute(target({ webhook: webhook({ secrets: foreign }) }))).rejects.toThrow(
      SecretDecryptionError,
    );
    expect(post).not.toHaveBeenCalled();
  });

  it('logs every field of a successful attempt and reports the webhook healthy', async () => {
    post.mockResolvedValue(response(204, { bodyExcerpt: '' }));
    const { log, effect } = await sendAttempt.execute(
      target({ command: command({ requestedBy: 'token-9', retryJobId: 'job-1' }) }),
    );

    expect(withoutNumber(log)).toEqual({
      version: 1,
      attemptId: 'att-1',
      tenantId: 't1',
      eventId: 'ev-1',
      webhookId: 'wh-1',
      url: 'https://receiver.test/hook',
      commandId: 'initial:ev-1:wh-1',
      trigger: DeliveryTrigger.Initial,
      requestedBy: 'token-9',
      startedAt: now.toISOString(),
      durationMs: 37,
      success: true,
      statusCode: 204,
      errorKind: null,
      errorMessage: null,
      responseBodyExcerpt: '',
      scheduledFailures: 0,
      deliveryStatus: DeliveryStatus.Delivered,
      nextAttemptAt: null,
      retryJobId: 'job-1',
    });
    expect(effect).toEqual({ tenantId: 't1', webhookId: 'wh-1', success: true, at: now, disableReason: null });
    expect(metrics.attemptDuration.observe).toHaveBeenCalledWith(0.037);
    expect(metrics.deliveries.inc).toHaveBeenCalledWith({ outcome: 'success', trigger: DeliveryTrigger.Initial });
  });

  it.each<[string, HttpOutcome, Partial<DeliveryLogV1>, string]>([
    [
      'a 3xx is not followed, and retried',
      response(301),
      { statusCode: 301, errorMessage: 'Redirects are not followed', responseBodyExcerpt: 'answer 301' },
      'http_3xx',
    ],
    [
      'a 4xx is retried',
      response(404),
      { statusCode: 404, errorMessage: null, responseBodyExcerpt: 'answer 404' },
      'http_4xx',
    ],
    [
      'a 5xx is retried',
      response(500),
      { statusCode: 500, errorMessage: null, responseBodyExcerpt: 'answer 500' },
      'http_5xx',
    ],
    [
      'a network error is retried, with its kind and message',
      failure(DeliveryErrorKind.ConnectionRefused, 'connect ECONNREFUSED 10.0.0.9:443'),
      {
        statusCode: null,
        errorKind: DeliveryErrorKind.ConnectionRefused,
        errorMessage: 'connect ECONNREFUSED 10.0.0.9:443',
        responseBodyExcerpt: null,
      },
      'connection_refused',
    ],
  ])('%s', async (_case, outcome, fields, label) => {
    post.mockResolvedValue(outcome);
    const { log, effect } = await sendAttempt.execute(target());

    expect(log).toMatchObject({
      ...fields,
      success: false,
      durationMs: outcome.durationMs,
      scheduledFailures: 1,
      deliveryStatus: DeliveryStatus.Retrying,
      // Counted from the answer: the request's start plus its duration.
      nextAttemptAt: new Date(now.getTime() + outcome.durationMs + 60_000).toISOString(),
    });
    expect(log).not.toHaveProperty('disabledReason');
    expect(effect).toEqual({ tenantId: 't1', webhookId: 'wh-1', success: false, at: now, disableReason: null });
    expect(metrics.deliveries.inc).toHaveBeenCalledWith({ outcome: label, trigger: DeliveryTrigger.Initial });
  });

  it('disables the webhook on 410 Gone', async () => {
    post.mockResolvedValue(response(410));
    const { log, effect } = await sendAttempt.execute(target());
    expect(log).toMatchObject({
      deliveryStatus: DeliveryStatus.Failed,
      nextAttemptAt: null,
      disabledReason: 'The endpoint answered 410 Gone',
    });
    expect(effect?.disableReason).toBe('The endpoint answered 410 Gone');
  });

  it('sends nothing to a disabled webhook and logs why', async () => {
    const disabled = webhook({ active: false, disabledReason: 'The endpoint answered 410 Gone' });
    const { log, effect } = await sendAttempt.execute(target({ webhook: disabled }));

    expect(post).not.toHaveBeenCalled();
    expect(log).toMatchObject({
      success: false,
      statusCode: null,
      errorKind: DeliveryErrorKind.WebhookDisabled,
      errorMessage: 'Webhook is disabled: The endpoint answered 410 Gone',
      durationMs: 0,
      deliveryStatus: DeliveryStatus.Failed,
      nextAttemptAt: null,
    });
    expect(effect).toBeNull();
    expect(metrics.attemptDuration.observe).not.toHaveBeenCalled();
    expect(metrics.deliveries.inc).toHaveBeenCalledWith({
      outcome: 'webhook_disabled',
      trigger: DeliveryTrigger.Initial,
    });
  });

  it('says only that a webhook disabled without a reason is disabled', async () => {
    const { log } = await sendAttempt.execute(target({ webhook: webhook({ active: false }) }));
    expect(log.errorMessage).toBe('Webhook is disabled');
  });

  describe('auto-disable after AUTO_DISABLE_AFTER without a success', () => {
    const failingFor = (ms: number) => webhook({ failingSince: new Date(now.getTime() - ms) });
    const reason = `No successful delivery since ${new Date(now.getTime() - policy.autoDisableAfterMs).toISOString()}`;

    it.each<[string, WebhookDocument, HttpOutcome, string | null]>([
      ['a failure once the time is up', failingFor(policy.autoDisableAfterMs), response(500), reason],
      [
        'a network error once the time is up',
        failingFor(policy.autoDisableAfterMs),
        failure(DeliveryErrorKind.Timeout, 'timed out'),
        reason,
      ],
      ['not a failure a moment before', failingFor(policy.autoDisableAfterMs - 1), response(500), null],
      ['not a success, however long it failed before', failingFor(policy.autoDisableAfterMs * 2), response(200), null],
      ['not a webhook that is not failing', webhook(), response(500), null],
    ])('%s', async (_case, endpoint, outcome, expected) => {
      post.mockResolvedValue(outcome);
      const { log, effect } = await sendAttempt.execute(target({ webhook: endpoint }));
      expect(log.disabledReason).toBe(expected ?? undefined);
      expect(effect?.disableReason).toBe(expected);
    });

    it('gives 410 Gone as the reason when both apply', async () => {
      post.mockResolvedValue(response(410));
      const { log } = await sendAttempt.execute(target({ webhook: failingFor(policy.autoDisableAfterMs) }));
      expect(log.disabledReason).toBe('The endpoint answered 410 Gone');
    });
  });

  it('leaves the schedule out of the log of a failed manual attempt', async () => {
    post.mockResolvedValue(response(503, { retryAfterMs: 120_000 }));
    const delivery = { status: DeliveryStatus.Retrying, scheduledFailures: 1, nextAttemptAt: new Date(), attempts: 2 };
    const { log } = await sendAttempt.execute(
      target({ command: command({ commandId: 'manual-1', trigger: DeliveryTrigger.Manual }), delivery }),
    );
    expect(log).toMatchObject({ deliveryStatus: DeliveryStatus.Retrying, scheduledFailures: 1, trigger: 'manual' });
    expect(log).not.toHaveProperty('nextAttemptAt');
  });

  it('honours Retry-After on an automatic retry', async () => {
    post.mockResolvedValue(response(503, { retryAfterMs: 900_000 }));
    const delivery = { status: DeliveryStatus.Retrying, scheduledFailures: 1, nextAttemptAt: null, attempts: 2 };
    const { log } = await sendAttempt.execute(
      target({ command: command({ commandId: 'retry:ev-1:wh-1:1', trigger: DeliveryTrigger.Automatic }), delivery }),
    );
    // Retry-After counts from the answer, which came `durationMs` after the request started.
    const answeredAt = now.getTime() + response(503).durationMs;
    expect(log).toMatchObject({ scheduledFailures: 2, nextAttemptAt: new Date(answeredAt + 900_000).toISOString() });
  });

  it('marks attempts to a FIFO webhook and leaves the optional fields out otherwise', async () => {
    post.mockResolvedValue(response(200));
    const { log: ordered } = await sendAttempt.execute(target({ webhook: webhook({ fifo: true }) }));
    const { log: plain } = await sendAttempt.execute(target());
    expect(ordered.fifo).toBe(true);
    for (const field of ['fifo', 'requestedBy', 'retryJobId', 'disabledReason'])
      expect(plain).not.toHaveProperty(field);
  });
});
