import { DeliveryLogV1 } from '../messages/delivery-log.v1';
import { ParseResult } from './parse-message';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks a delivery-log message enough to store it safely. The dispatcher is its only producer, so this
 * guards against corruption and foreign writers, not against a second schema.
 */
export function parseDeliveryLog(raw: Buffer | null): ParseResult<DeliveryLogV1> {
  let log: DeliveryLogV1;
  try {
    log = JSON.parse(raw?.toString('utf8') ?? '') as DeliveryLogV1;
  } catch (error) {
    return { ok: false, reason: `value is not valid JSON: ${(error as Error).message}` };
  }
  if (typeof log !== 'object' || log === null || log.version !== 1)
    return { ok: false, reason: 'not a version 1 delivery log' };
  const problems = [
    UUID.test(String(log.attemptId)) ? null : 'attemptId must be a UUID',
    UUID.test(String(log.eventId)) ? null : 'eventId must be a UUID',
    UUID.test(String(log.webhookId)) ? null : 'webhookId must be a UUID',
    typeof log.tenantId === 'string' && log.tenantId ? null : 'tenantId is required',
    typeof log.success === 'boolean' ? null : 'success must be a boolean',
    Number.isInteger(log.attemptNumber) ? null : 'attemptNumber must be an integer',
    Number.isNaN(Date.parse(log.startedAt)) ? 'startedAt must be a date' : null,
    typeof log.deliveryStatus === 'string' ? null : 'deliveryStatus is required',
    log.requestedBy === undefined || typeof log.requestedBy === 'string' ? null : 'requestedBy must be a string',
    log.stored === undefined || log.stored === true ? null : 'stored must be true when present',
  ].filter(Boolean);
  return problems.length > 0
    ? { ok: false, reason: `schema violation: ${problems.join('; ')}` }
    : { ok: true, value: log };
}
