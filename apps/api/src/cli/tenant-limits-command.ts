import { AppConfig } from '@app/config';
import { asTenantId, TenantLimits, TenantLimitsChange, TenantLimitsRepository } from '@app/persistence';
import { TENANT_LIMITS_TTL_MS } from '../rate-limit/tenant-limits.cache';

export interface SetTenantLimitsCommand {
  kind: 'set-tenant-limits';
  tenantId: string;
  change: TenantLimitsChange;
}

export const TENANTS_USAGE = [
  '  npm run cli -- tenants set-limits <tenant-id> [--ingest <n>|default] [--other <n>|default]',
  '      per minute: events through POST /v1/webhooks/events, and requests to every other route;',
  '      `default` returns a limit to RATE_LIMIT_INGEST_PER_MINUTE / RATE_LIMIT_PER_MINUTE',
];

/** Far above any backend's rate, yet a typo of a few more digits is refused. */
const MAX_PER_MINUTE = 100_000_000;
const FLAGS: Record<string, keyof TenantLimits> = { '--ingest': 'ingestPerMinute', '--other': 'otherPerMinute' };

/** `tenants <action> ...` after the group word; `{ reason }` when the operator's words do not parse. */
export function parseTenantsArgs(
  action: string | undefined,
  args: string[],
): SetTenantLimitsCommand | { reason: string } {
  if (action !== 'set-limits') return { reason: `unknown tenants action "${action ?? ''}"` };
  const [tenantId, ...options] = args;
  if (!tenantId || tenantId.startsWith('--')) return { reason: 'tenants set-limits needs a tenant id' };
  const change: TenantLimitsChange = {};
  for (let index = 0; index < options.length; index += 2) {
    const [flag, value] = [options[index], options[index + 1]];
    const field = FLAGS[flag];
    if (!field) return { reason: `unknown option "${flag}"` };
    if (value === undefined) return { reason: `${flag} needs a number of requests per minute or "default"` };
    if (value === 'default') {
      change[field] = null;
      continue;
    }
    const perMinute = Number(value);
    if (!/^\d+$/.test(value) || perMinute < 1 || perMinute > MAX_PER_MINUTE) {
      return { reason: `${flag} must be a whole number from 1 to ${MAX_PER_MINUTE}, or "default"` };
    }
    change[field] = perMinute;
  }
  if (Object.keys(change).length === 0) return { reason: 'tenants set-limits needs --ingest and/or --other' };
  return { kind: 'set-tenant-limits', tenantId, change };
}

/** Stores the change and prints the tenant's limits as every API process will apply them. */
export async function setTenantLimits(
  repository: TenantLimitsRepository,
  config: AppConfig,
  command: SetTenantLimitsCommand,
  print: (line: string) => void,
): Promise<number> {
  const limits = await repository.set(asTenantId(command.tenantId), command.change, new Date());
  const describe = (own: number | null, fallback: number, what: string): string =>
    own === null ? `${fallback} ${what} per minute (the default)` : `${own} ${what} per minute`;
  print(`Limits of tenant ${command.tenantId}:`);
  print(`  event ingest: ${describe(limits.ingestPerMinute, config.get('RATE_LIMIT_INGEST_PER_MINUTE'), 'events')}`);
  print(`  other routes: ${describe(limits.otherPerMinute, config.get('RATE_LIMIT_PER_MINUTE'), 'requests')}`);
  print(`Running API processes apply them within ${TENANT_LIMITS_TTL_MS / 1000} s.`);
  return 0;
}
