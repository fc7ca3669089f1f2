import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { isIP } from 'node:net';
import { Agent, Dispatcher, request } from 'undici';
import { AppConfig } from '@app/config';
import { DeliveryErrorKind } from '@app/contracts';
import { DeliveryPolicy, ORIGIN_CONNECTION_CAP, RESPONSE_EXCERPT_BYTES } from '../policy/delivery-policy';
import { isBlockedAddress } from './address-policy';
import { BlockedTargetError, guardedLookup } from './guarded-lookup';
import { classifyError } from './classify-error';
import { parseRetryAfter } from './retry-after';

/** Bytes of a response body read before the connection is dropped instead: keeps keep-alive for normal replies. */
const DRAIN_LIMIT_BYTES = 64 * 1024;

export type HttpOutcome =
  | { kind: 'response'; statusCode: number; bodyExcerpt: string; retryAfterMs: number | null; durationMs: number }
  | { kind: 'error'; errorKind: DeliveryErrorKind; message: string; durationMs: number };

/**
 * Sends webhook POSTs with undici: a keep-alive pool per origin, connect and total timeouts, redirects
 * never followed, at most RESPONSE_EXCERPT_BYTES of the answer kept, and the SSRF guard on the address dialled.
 */
@Injectable()
export class WebhookHttpClient implements OnApplicationShutdown {
  private readonly guarded: Agent;
  private readonly unguarded: Agent;
  private readonly allowPrivate: boolean;
  private readonly allowlist: Set<string>;

  constructor(
    private readonly policy: DeliveryPolicy,
    config: AppConfig,
  ) {
    this.allowPrivate = config.get('ALLOW_PRIVATE_TARGETS');
    this.allowlist = new Set(
      config
        .get('PRIVATE_TARGET_ALLOWLIST')
        .split(',')
        .map((entry) => entry.trim().toLowerCase())
        .filter(Boolean),
    );
    const options: Agent.Options = {
      // Per origin. Endpoints sharing an origin must not queue behind each other's slow requests here;
      // EndpointLimiter bounds each endpoint, this only bounds sockets per host.
      connections: ORIGIN_CONNECTION_CAP,
      keepAliveTimeout: 30_000,
      headersTimeout: policy.totalTimeoutMs,
      bodyTimeout: policy.totalTimeoutMs,
      connect: { timeout: policy.connectTimeoutMs },
    };
    this.unguarded = new Agent(options);
    this.guarded = new Agent({ ...options, connect: { ...options.connect, lookup: guardedLookup } });
  }

  /** `timeoutMs` is the endpoint's own timeout, if it has one; never longer than DELIVERY_TIMEOUT. */
  async post(url: URL, headers: Record<string, string>, body: string, timeoutMs?: number | null): Promise<HttpOutcome> {
    const startedAt = performance.now();
    const elapsed = () => Math.round(performance.now() - startedAt);
    const totalTimeoutMs = Math.min(timeoutMs ?? this.policy.totalTimeoutMs, this.policy.totalTimeoutMs);
    try {
      const dispatcher = this.dispatcherFor(url);
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        dispatcher,
        headersTimeout: totalTimeoutMs,
        bodyTimeout: totalTimeoutMs,
        signal: AbortSignal.timeout(totalTimeoutMs),
      });
      const bodyExcerpt = await readExcerpt(response.body);
      return {
        kind: 'response',
        statusCode: response.statusCode,
        bodyExcerpt,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
        durationMs: elapsed(),
      };
    } catch (error) {
      const { errorKind, message } = classifyError(error);
      return { kind: 'error', errorKind, message, durationMs: elapsed() };
    }
  }

  private dispatcherFor(url: URL): Dispatcher {
    if (this.allowPrivate || this.allowlist.has(url.host.toLowerCase())) return this.unguarded;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is dialled without a lookup, so it is checked here.
    if (isIP(host) && isBlockedAddress(host)) throw new BlockedTargetError(`${host} is a blocked address`);
    return this.guarded;
  }

  // After the consumers' drain (beforeApplicationShutdown), so requests on the wire finish first.
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.guarded.close(), this.unguarded.close()]);
  }
}

async function readExcerpt(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let read = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    read += chunk.length;
    if (kept < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (read > DRAIN_LIMIT_BYTES) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}
