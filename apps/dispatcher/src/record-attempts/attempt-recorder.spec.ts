import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DeliveryLogsContract, DeliveryLogV1, DeliveryTrigger, KafkaTopic } from '@app/contracts';
import { KafkaProducer, OutgoingMessage } from '@app/kafka';
import { DeliveryAttemptRepository, RetryJobRepository, WebhookRepository } from '@app/persistence';
import { EmitEndpointDisabledUseCase } from '../operational-events/emit-endpoint-disabled.usecase';
import { AttemptRecorder, retryJobOutcomesOf } from './attempt-recorder';
import { deliveryLog } from '../../../../test/support/delivery-log';

let attemptSeq = 0;
/** A delivery log with fixed ids the tests name (see test/support/delivery-log for the fields). */
const log = (changes: Partial<DeliveryLogV1> = {}): DeliveryLogV1 =>
  deliveryLog({
    attemptId: `att-${++attemptSeq}`,
    tenantId: 't1',
    eventId: 'ev-1',
    webhookId: 'wh-a',
    url: 'https://receiver.test/hook',
    commandId: 'cmd-1',
    trigger: DeliveryTrigger.Manual,
    startedAt: '2030-01-01T00:00:00.000Z',
    durationMs: 5,
    ...changes,
  });
const jobLog = (changes: Partial<DeliveryLogV1> = {}) => log({ retryJobId: 'job-1', ...changes });

function setUp() {
  const calls: string[] = [];
  const stored = new Set<string>();
  const attempts = {
    insertLogs: jest.fn(async (logs: DeliveryLogV1[]) => {
      calls.push('insertLogs');
      return logs.flatMap(({ attemptId }) => (stored.has(attemptId) ? [] : (stored.add(attemptId), [attemptId])));
    }),
  };
  const retryJobs = { addOutcomes: jest.fn(async () => void calls.push('addOutcomes')) };
  const producer = { publish: jest.fn(async (..._args: unknown[]) => void calls.push('publish')) };
  const webhooks = { applyHealth: jest.fn(async (_effects: unknown[]) => void calls.push('applyHealth')) };
  const endpointDisabled = { execute: jest.fn(async (_effects: unknown[]) => void calls.push('emitDisabled')) };
  const recorder = new AttemptRecorder(
    producer as unknown as KafkaProducer,
    attempts as unknown as DeliveryAttemptRepository,
    retryJobs as unknown as RetryJobRepository,
    webhooks as unknown as WebhookRepository,
    endpointDisabled as unknown as EmitEndpointDisabledUseCase,
  );
  return { recorder, calls, attempts, retryJobs, producer, webhooks, endpointDisabled };
}

describe('AttemptRecorder', () => {
  it('publishes through the delivery-log contract, skipping a log that breaks it rather than holding the others', async () => {
    const sent: OutgoingMessage[] = [];
    const producer = Object.assign(Object.create(KafkaProducer.prototype) as KafkaProducer, {
      sendAll: async (messages: OutgoingMessage[]) => void sent.push(...messages),
    });
    const recorder = new AttemptRecorder(
      producer,
      { insertLogs: async () => [] } as unknown as DeliveryAttemptRepository,
      { addOutcomes: async () => undefined } as unknown as RetryJobRepository,
      { applyHealth: async () => undefined } as unknown as WebhookRepository,
      { execute: async () => undefined } as unknown as EmitEndpointDisabledUseCase,
    );
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const valid = log({ attemptId: randomUUID(), eventId: randomUUID(), webhookId: randomUUID() });
    const invalid = log({ attemptId: 'not-a-uuid', eventId: randomUUID(), webhookId: randomUUID() });

    await Promise.all([recorder.record(invalid, null), recorder.record(valid, null)]);

    expect(sent).toEqual([
      { topic: KafkaTopic.DeliveryLogs, key: valid.eventId, value: JSON.stringify({ ...valid, stored: true }) },
    ]);
    expect(error).toHaveBeenCalledWith(
      expect.objectContaining({ attemptId: 'not-a-uuid', reason: expect.stringContaining('attemptId must be a UUID') }),
      'Delivery log not published',
    );
    error.mockRestore();
  });

  it('stores the attempts before it publishes their events, flagged as stored, then updates webhook health and tells what it disabled', async () => {
    const { recorder, calls, attempts, producer, webhooks, endpointDisabled } = setUp();
    const finished = log();
    const at = new Date();

    await recorder.record(finished, { tenantId: 't1', webhookId: 'wh-a', success: true, at, disableReason: null });

    expect(calls).toEqual(['insertLogs', 'addOutcomes', 'publish', 'applyHealth', 'emitDisabled']);
    expect(attempts.insertLogs).toHaveBeenCalledWith([{ ...finished, stored: true }]);
    expect(producer.publish).toHaveBeenCalledWith(
      DeliveryLogsContract,
      [{ ...finished, stored: true }],
      expect.objectContaining({ onRefused: expect.any(Function) }),
    );
    expect(webhooks.applyHealth).toHaveBeenCalledWith([
      { tenantId: 't1', webhookId: 'wh-a', success: true, at, disableReason: null },
    ]);
    // The outcomes written: the use case reads back which disables among them took effect.
    expect(endpointDisabled.execute).toHaveBeenCalledWith([
      { tenantId: 't1', webhookId: 'wh-a', success: true, at, disableReason: null },
    ]);
  });

  it('keeps, of a batch with a disable, the disable; otherwise the newest outcome per webhook', async () => {
    const { recorder, webhooks } = setUp();
    const early = new Date('2030-01-01T00:00:00Z');
    const late = new Date('2030-01-01T00:00:01Z');
    const effect = (webhookId: string, success: boolean, at: Date, disableReason: string | null = null) => ({
      tenantId: 't1',
      webhookId,
      success,
      at,
      disableReason,
    });

    // One flush: the first record is on the wire while the others queue up behind it.
    await Promise.all([
      recorder.record(log(), effect('wh-0', true, early)),
      recorder.record(log(), effect('wh-a', false, early, 'The endpoint answered 410 Gone')),
      recorder.record(log(), effect('wh-a', true, late)),
      recorder.record(log(), effect('wh-b', false, early)),
      recorder.record(log(), effect('wh-b', true, late)),
    ]);

    const written = webhooks.applyHealth.mock.calls.flatMap(([effects]) => effects as ReturnType<typeof effect>[]);
    expect(written.filter(({ webhookId }) => webhookId !== 'wh-0')).toEqual([
      effect('wh-a', false, early, 'The endpoint answered 410 Gone'),
      effect('wh-b', true, late),
    ]);
  });
});

describe('retryJobOutcomesOf', () => {
  it('counts each stored attempt of a job once, per tenant and job, and ignores attempts of no job', () => {
    const logs = [
      jobLog(),
      jobLog({ success: false }),
      jobLog({ retryJobId: 'job-2' }),
      jobLog({ tenantId: 't2' }),
      log(),
    ];
    expect(retryJobOutcomesOf(logs, new Set(logs.map(({ attemptId }) => attemptId)))).toEqual([
      { tenantId: 't1', jobId: 'job-1', delivered: 1, failed: 1 },
      { tenantId: 't1', jobId: 'job-2', delivered: 1, failed: 0 },
      { tenantId: 't2', jobId: 'job-1', delivered: 1, failed: 0 },
    ]);
  });

  it('counts only the attempts this call stored, and a log twice in the batch once', () => {
    const old = jobLog();
    const fresh = jobLog({ success: false });
    expect(retryJobOutcomesOf([old, fresh, { ...fresh }], new Set([fresh.attemptId]))).toEqual([
      { tenantId: 't1', jobId: 'job-1', delivered: 0, failed: 1 },
    ]);
  });
});
