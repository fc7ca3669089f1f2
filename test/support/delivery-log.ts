import { randomUUID } from 'node:crypto';
import { DeliveryLogV1, DeliveryStatus, DeliveryTrigger } from '@app/contracts';

/**
 * A delivery-log message as the dispatcher emits it: by default the successful first attempt of a new
 * delivery, with fresh ids; `changes` sets whatever the test or bench is about.
 */
export function deliveryLog(changes: Partial<DeliveryLogV1> = {}): DeliveryLogV1 {
  const eventId = changes.eventId ?? randomUUID();
  return {
    version: 1,
    attemptId: randomUUID(),
    tenantId: `tenant-${randomUUID()}`,
    eventId,
    webhookId: randomUUID(),
    url: 'https://receiver.example/hook',
    commandId: `initial:${eventId}`,
    trigger: DeliveryTrigger.Initial,
    attemptNumber: 1,
    startedAt: new Date().toISOString(),
    durationMs: 12,
    success: true,
    statusCode: 200,
    errorKind: null,
    errorMessage: null,
    responseBodyExcerpt: '',
    scheduledFailures: 0,
    deliveryStatus: DeliveryStatus.Delivered,
    nextAttemptAt: null,
    ...changes,
  };
}
