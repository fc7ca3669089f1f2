import { WebhookHeader } from '@app/persistence';

/** Custom headers per webhook: enough for an API key or a routing tag, small next to the payload. */
export const MAX_WEBHOOK_HEADERS = 20;
/** Names and values together, in bytes (ASCII only, so characters). */
export const MAX_WEBHOOK_HEADERS_BYTES = 4096;

/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Printable ASCII with inner spaces or tabs; no CR/LF, so a value cannot start another header. */
const HEADER_VALUE = /^[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?$/;

/** Headers the service sets itself (Standard Webhooks, the body's framing, the client's identity). */
const SET_BY_SERVICE = new Set(['content-type', 'content-length', 'content-encoding', 'host', 'user-agent']);
/** Hop-by-hop headers describe one connection, not the request; `expect` is one undici refuses to send. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect']);

/** Why `value` is not a valid `headers` object, or null when it is. */
export function webhookHeadersProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'headers must be an object of header names to string values';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_WEBHOOK_HEADERS) return `headers may hold at most ${MAX_WEBHOOK_HEADERS} headers`;
  const seen = new Set<string>();
  let bytes = 0;
  for (const [name, headerValue] of entries) {
    if (!HEADER_NAME.test(name)) return `headers name ${JSON.stringify(name)} is not a valid HTTP header name`;
    const lower = name.toLowerCase();
    if (lower.startsWith('webhook-') || SET_BY_SERVICE.has(lower)) {
      return `headers must not set ${name}: the service sets it`;
    }
    if (lower.startsWith('proxy-') || HOP_BY_HOP.has(lower)) {
      return `headers must not set ${name}: it is a hop-by-hop header`;
    }
    if (seen.has(lower)) return `headers must not name ${name} twice (names are case-insensitive)`;
    seen.add(lower);
    if (typeof headerValue !== 'string' || !HEADER_VALUE.test(headerValue)) {
      return `headers value of ${name} must be a non-empty string of printable ASCII characters`;
    }
    bytes += name.length + headerValue.length;
  }
  if (bytes > MAX_WEBHOOK_HEADERS_BYTES) {
    return `headers must be at most ${MAX_WEBHOOK_HEADERS_BYTES} bytes of names and values together`;
  }
  return null;
}

/** The API's object form to the stored list, and back. */
export const toStoredHeaders = (headers: Record<string, string>): WebhookHeader[] =>
  Object.entries(headers).map(([name, value]) => ({ name, value }));

export const toHeadersObject = (headers: WebhookHeader[] | undefined): Record<string, string> =>
  Object.fromEntries((headers ?? []).map(({ name, value }) => [name, value]));
