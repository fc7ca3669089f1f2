import { API_TOKEN_SCOPES, ApiTokenScope } from '@app/persistence';

import { DEAD_LETTERS_USAGE, DeadLettersCommand, parseDeadLettersArgs } from './dead-letters/dead-letters-command';
import { parseTenantsArgs, SetTenantLimitsCommand, TENANTS_USAGE } from './tenant-limits-command';

/** What the operator asked the CLI to do, parsed from argv (without node and the script path). */
export type CliCommand =
  | { kind: 'create-token'; tenantId: string; name?: string; scope: ApiTokenScope; expiresAt?: Date }
  | { kind: 'list-tokens'; tenantId?: string; json: boolean; limit: number }
  | { kind: 'revoke-token'; tokenId: string }
  | { kind: 'reencrypt-secrets'; batchSize: number; after?: string }
  | SetTenantLimitsCommand
  | DeadLettersCommand
  | { kind: 'help' }
  | { kind: 'invalid'; reason: string };

export const CLI_USAGE = [
  'Usage:',
  '  npm run cli -- tokens create --tenant <tenant-id> [--name <label>] [--scope full|read-only]',
  '                               [--expires-in <n>m|h|d | --expires-at <ISO 8601 instant>]',
  '      prints the new token on its last line; a read-only token may only make GET and HEAD requests',
  '  npm run cli -- tokens list [--tenant <tenant-id>] [--limit <n>] [--json]   never shows a secret',
  '  npm run cli -- tokens revoke <token-id>',
  '  npm run cli -- secrets reencrypt [--batch-size <n>] [--after <webhook-id>]',
  '      re-encrypts every webhook signing secret under SECRETS_ENCRYPTION_KEY; safe to stop and run again',
  ...TENANTS_USAGE,
  ...DEAD_LETTERS_USAGE,
].join('\n');

const DEFAULT_REENCRYPT_BATCH = 200;
const DEFAULT_LIST_LIMIT = 1_000;
const DURATION_UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
/** An instant with its offset, so that an expiry never depends on the operator's time zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `now` is when relative expiries (--expires-in) count from. */
export function parseCliArgs(argv: string[], now: Date = new Date()): CliCommand {
  const [group, action, ...rest] = argv;
  if (group === undefined || ['help', '--help', '-h'].includes(group)) return { kind: 'help' };
  if (group === 'secrets') return parseSecrets(action, rest);
  if (group === 'tenants') {
    const parsed = parseTenantsArgs(action, rest);
    return 'reason' in parsed ? { kind: 'invalid', reason: parsed.reason } : parsed;
  }
  if (group === 'dead-letters') {
    const parsed = parseDeadLettersArgs(action, rest);
    return 'reason' in parsed ? { kind: 'invalid', reason: parsed.reason } : parsed;
  }
  if (group !== 'tokens') return { kind: 'invalid', reason: `unknown command "${group}"` };
  if (action === 'create') return parseCreate(rest, now);
  if (action === 'list') return parseList(rest);
  if (action === 'revoke') {
    if (rest.length !== 1) return { kind: 'invalid', reason: 'tokens revoke takes exactly one token id' };
    return { kind: 'revoke-token', tokenId: rest[0] };
  }
  return { kind: 'invalid', reason: `unknown tokens action "${action ?? ''}"` };
}

function parseSecrets(action: string | undefined, args: string[]): CliCommand {
  if (action !== 'reencrypt') return { kind: 'invalid', reason: `unknown secrets action "${action ?? ''}"` };
  const options = parseOptions(args, ['--batch-size', '--after']);
  if ('reason' in options) return { kind: 'invalid', reason: options.reason };
  const batchSize = wholeNumber(options.get('--batch-size') ?? DEFAULT_REENCRYPT_BATCH, 10_000);
  if (batchSize === undefined) {
    return { kind: 'invalid', reason: '--batch-size must be a whole number from 1 to 10000' };
  }
  return { kind: 'reencrypt-secrets', batchSize, after: options.get('--after') };
}

/** `switches` take no value: present means true (stored as ''). */
function parseOptions(
  args: string[],
  known: string[],
  switches: string[] = [],
): Map<string, string> | { reason: string } {
  const options = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const flag = args[index];
    if (switches.includes(flag)) {
      options.set(flag, '');
      continue;
    }
    if (!known.includes(flag)) return { reason: `unknown option "${flag}"` };
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) return { reason: `${flag} needs a value` };
    options.set(flag, value);
    index += 1;
  }
  return options;
}

function wholeNumber(value: string | number, max: number): number | undefined {
  const number = Number(value);
  return Number.isInteger(number) && number >= 1 && number <= max ? number : undefined;
}

function parseCreate(args: string[], now: Date): CliCommand {
  const options = parseOptions(args, ['--tenant', '--name', '--scope', '--expires-in', '--expires-at']);
  if ('reason' in options) return { kind: 'invalid', reason: options.reason };
  const tenantId = options.get('--tenant');
  if (!tenantId) return { kind: 'invalid', reason: 'tokens create needs --tenant <tenant-id>' };
  const scope = options.get('--scope') ?? 'full';
  if (!(API_TOKEN_SCOPES as readonly string[]).includes(scope)) {
    return { kind: 'invalid', reason: `--scope must be one of ${API_TOKEN_SCOPES.join(', ')}` };
  }
  const expiry = parseExpiry(options.get('--expires-in'), options.get('--expires-at'), now);
  if (expiry instanceof Error) return { kind: 'invalid', reason: expiry.message };
  return {
    kind: 'create-token',
    tenantId,
    name: options.get('--name'),
    scope: scope as ApiTokenScope,
    expiresAt: expiry,
  };
}

function parseExpiry(
  expiresIn: string | undefined,
  expiresAt: string | undefined,
  now: Date,
): Date | undefined | Error {
  if (expiresIn !== undefined && expiresAt !== undefined) {
    return new Error('give either --expires-in or --expires-at, not both');
  }
  if (expiresIn !== undefined) {
    const match = /^(\d{1,6})([mhd])$/.exec(expiresIn);
    if (!match || Number(match[1]) === 0) {
      return new Error('--expires-in must be a positive number of minutes, hours or days, like 90m, 12h or 30d');
    }
    return new Date(now.getTime() + Number(match[1]) * DURATION_UNITS_MS[match[2]]);
  }
  if (expiresAt !== undefined) {
    const at = new Date(expiresAt);
    if (!ISO_INSTANT.test(expiresAt) || !isCalendarDate(expiresAt.slice(0, 10))) {
      return new Error('--expires-at must be an ISO 8601 instant with its offset, like 2027-01-31T00:00:00Z');
    }
    if (at <= now) return new Error(`--expires-at ${expiresAt} is not in the future`);
    return at;
  }
  return undefined;
}

/** `new Date` rolls 2027-02-30 over to March 2nd instead of refusing it. */
function isCalendarDate(yyyyMmDd: string): boolean {
  const [year, month, day] = yyyyMmDd.split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function parseList(args: string[]): CliCommand {
  const options = parseOptions(args, ['--tenant', '--limit'], ['--json']);
  if ('reason' in options) return { kind: 'invalid', reason: options.reason };
  const limit = wholeNumber(options.get('--limit') ?? DEFAULT_LIST_LIMIT, 100_000);
  if (limit === undefined) return { kind: 'invalid', reason: '--limit must be a whole number from 1 to 100000' };
  return { kind: 'list-tokens', tenantId: options.get('--tenant'), json: options.has('--json'), limit };
}
