import { ServerResponse } from 'node:http';
import { RATE_LIMIT_WINDOW_MS, RateLimitDecision } from './shared-window-counter';

const WINDOW_SECONDS = RATE_LIMIT_WINDOW_MS / 1000;

/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers-06 (as express-rate-limit's
 * `draft-6` sends them), and Retry-After (RFC 9110) on a refusal. Header names are part of the API.
 */
export function setRateLimitHeaders(response: ServerResponse, decision: RateLimitDecision): void {
  response.setHeader('RateLimit-Policy', `${decision.limit};w=${WINDOW_SECONDS}`);
  response.setHeader('RateLimit-Limit', String(decision.limit));
  response.setHeader('RateLimit-Remaining', String(decision.remaining));
  response.setHeader('RateLimit-Reset', String(decision.resetSeconds));
  if (!decision.allowed) response.setHeader('Retry-After', String(decision.resetSeconds));
}
