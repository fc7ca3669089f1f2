import { envelopeBody } from '../../apps/dispatcher/src/dispatch/webhook-request';

/** The size of every webhook body in the bench, raw ceiling and dispatcher alike. */
export const BODY_BYTES = 1024;

/**
 * The stored payload of a bench event, padded so the envelope the dispatcher sends (envelopeBody) is
 * exactly BODY_BYTES: `{"index":n,"pad":"xx…"}`.
 */
export function paddedPayloadJson(event: { _id: string; type: string; createdAt: Date }, index: number): string {
  const bare = `{"index":${index},"pad":""}`;
  const missing = BODY_BYTES - envelopeBody({ ...event, payloadJson: bare }).length;
  if (missing < 0) throw new Error('event fields too long for a 1 KiB body');
  return `{"index":${index},"pad":"${'x'.repeat(missing)}"}`;
}
