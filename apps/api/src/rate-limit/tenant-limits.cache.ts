import { Logger } from '@nestjs/common';
import { TenantId, TenantLimitsRepository } from '@app/persistence';

/** How long a process uses a tenant's limits before reading them again: a CLI change applies within this. */
export const TENANT_LIMITS_TTL_MS = 10_000;
/** Bounds memory whatever the number of tenants; the oldest entry makes room. */
const MAX_TENANTS = 10_000;

/** A tenant's limits per minute, its own or the configured defaults. */
export interface EffectiveLimits {
  ingestPerMinute: number;
  otherPerMinute: number;
}

interface Entry {
  limits: EffectiveLimits;
  expiresAt: number;
  refreshing: boolean;
}

/**
 * Each tenant's limits, read at most once per TENANT_LIMITS_TTL_MS per process. Only a tenant's first
 * request waits for the read; after that an expired entry is answered as it is while it is read again.
 */
export class TenantLimitsCache {
  private readonly logger = new Logger(TenantLimitsCache.name);
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<EffectiveLimits>>();

  constructor(
    private readonly repository: TenantLimitsRepository,
    private readonly defaults: EffectiveLimits,
    private readonly now: () => number = Date.now,
  ) {}

  async limitsOf(tenantId: TenantId): Promise<EffectiveLimits> {
    const entry = this.entries.get(tenantId);
    if (!entry) return this.load(tenantId);
    if (entry.expiresAt <= this.now() && !entry.refreshing) {
      entry.refreshing = true;
      this.load(tenantId).catch((error: Error) => {
        entry.refreshing = false;
        entry.expiresAt = this.now() + TENANT_LIMITS_TTL_MS;
        this.logger.warn(`Reading the limits of tenant ${tenantId} failed; keeping the ones known: ${error.message}`);
      });
    }
    return entry.limits;
  }

  private load(tenantId: TenantId): Promise<EffectiveLimits> {
    let loading = this.loading.get(tenantId);
    if (!loading) {
      loading = this.read(tenantId).finally(() => this.loading.delete(tenantId));
      this.loading.set(tenantId, loading);
    }
    return loading;
  }

  private async read(tenantId: TenantId): Promise<EffectiveLimits> {
    const own = await this.repository.find(tenantId);
    const limits = {
      ingestPerMinute: own?.ingestPerMinute ?? this.defaults.ingestPerMinute,
      otherPerMinute: own?.otherPerMinute ?? this.defaults.otherPerMinute,
    };
    this.entries.delete(tenantId);
    if (this.entries.size >= MAX_TENANTS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tenantId, { limits, expiresAt: this.now() + TENANT_LIMITS_TTL_MS, refreshing: false });
    return limits;
  }
}
