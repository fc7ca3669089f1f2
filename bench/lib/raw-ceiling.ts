import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { newSigningSecret } from '../../apps/api/src/webhooks/webhook-secret';
import { ORIGIN_CONNECTION_CAP } from '../../apps/dispatcher/src/policy/delivery-policy';
import { envelopeBody, webhookHeaders } from '../../apps/dispatcher/src/dispatch/webhook-request';
import { BODY_BYTES, paddedPayloadJson } from './payload';

export interface RawCeilingResult {
  /** POSTs answered per second, over the measured window. */
  postsPerSec: number;
  requests: number;
  errors: number;
  seconds: number;
  concurrency: number;
  bodyBytes: number;
}

/**
 * (1) The transport ceiling: undici.request POSTs of the dispatcher's exact body shape and headers
 * (signed once, not per request) to the receiver, through one Agent with the dispatcher's per-origin
 * socket cap, ORIGIN_CONNECTION_CAP requests kept in flight. A warm-up opens the sockets first.
 */
export async function measureRawCeiling(url: string, seconds: number, warmupSeconds = 1): Promise<RawCeilingResult> {
  const createdAt = new Date();
  const event = { _id: randomUUID(), type: 'bench.raw', createdAt };
  const body = envelopeBody({ ...event, payloadJson: paddedPayloadJson(event, 0) });
  if (body.length !== BODY_BYTES) throw new Error(`body is ${body.length} bytes`);
  const secret = { secret: newSigningSecret(), createdAt, expiresAt: null };
  const headers = webhookHeaders(event._id, body, [secret], createdAt);
  const agent = new Agent({ connections: ORIGIN_CONNECTION_CAP, keepAliveTimeout: 30_000 });
  const target = new URL(url);

  const run = async (durationMs: number) => {
    let requests = 0;
    let errors = 0;
    const endAt = performance.now() + durationMs;
    const worker = async () => {
      while (performance.now() < endAt) {
        try {
          const response = await request(target, { method: 'POST', headers, body, dispatcher: agent });
          await response.body.dump();
          if (response.statusCode === 200) requests += 1;
          else errors += 1;
        } catch {
          errors += 1;
        }
      }
    };
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: ORIGIN_CONNECTION_CAP }, worker));
    return { requests, errors, seconds: (performance.now() - startedAt) / 1000 };
  };

  try {
    await run(warmupSeconds * 1000);
    const measured = await run(seconds * 1000);
    return {
      postsPerSec: measured.requests / measured.seconds,
      ...measured,
      concurrency: ORIGIN_CONNECTION_CAP,
      bodyBytes: body.length,
    };
  } finally {
    await agent.close();
  }
}
