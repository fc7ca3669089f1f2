import { isIP } from 'node:net';
import { ValidateBy } from 'class-validator';

/** Express's names for address ranges (proxy-addr). */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** What Express's `trust proxy` setting takes: nothing trusted, a hop count, or addresses and subnets. */
export type TrustProxy = false | number | string[];

/**
 * TRUST_PROXY in Express's syntax: `false`, a hop count, or a comma-separated list of addresses, subnets
 * (`10.0.0.0/8`) and named ranges (`loopback`). `true` is refused: it would take the client's address
 * from whatever the client wrote into X-Forwarded-For. Null when the value is none of these.
 */
export function parseTrustProxy(value: string): TrustProxy | null {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || trimmed === 'false') return false;
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  return entries.every(isTrustedAddress) ? entries : null;
}

function isTrustedAddress(entry: string): boolean {
  if (NAMED_RANGES.includes(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export function IsTrustProxy(): PropertyDecorator {
  return ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseTrustProxy(value) !== null,
      defaultMessage: () =>
        '$property must be false, a hop count, or a comma-separated list of addresses and subnets ' +
        '(e.g. loopback, 10.0.0.0/8)',
    },
  });
}
