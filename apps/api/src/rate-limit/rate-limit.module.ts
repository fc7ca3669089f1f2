import { BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { RateLimitWindowRepository, TenantLimitsRepository } from '@app/persistence';
import { SharedWindowCounter } from './shared-window-counter';
import { TenantLimitsCache } from './tenant-limits.cache';
import { TenantRateLimitGuard } from './tenant-rate-limit.guard';

/**
 * Shares the hits still pending when the API stops, so a deploy does not hand out a fresh budget; before
 * shutdown, while the database connection is still open.
 */
@Injectable()
class SharedCountsOnShutdown implements BeforeApplicationShutdown {
  constructor(private readonly counter: SharedWindowCounter) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.counter.stop();
  }
}

/** Per-tenant and per-address rate limits, counted across API processes (see SharedWindowCounter). */
@Module({
  providers: [
    {
      provide: SharedWindowCounter,
      inject: [RateLimitWindowRepository, AppConfig],
      useFactory: (windows: RateLimitWindowRepository, config: AppConfig) =>
        new SharedWindowCounter(windows, config.durationMs('RATE_LIMIT_SYNC_INTERVAL')),
    },
    {
      provide: TenantLimitsCache,
      inject: [TenantLimitsRepository, AppConfig],
      useFactory: (repository: TenantLimitsRepository, config: AppConfig) =>
        new TenantLimitsCache(repository, {
          ingestPerMinute: config.get('RATE_LIMIT_INGEST_PER_MINUTE'),
          otherPerMinute: config.get('RATE_LIMIT_PER_MINUTE'),
        }),
    },
    TenantRateLimitGuard,
    SharedCountsOnShutdown,
  ],
  exports: [SharedWindowCounter, TenantRateLimitGuard, TenantLimitsCache],
})
export class RateLimitModule {}
