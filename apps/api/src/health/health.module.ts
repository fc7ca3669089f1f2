import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AppHealth, OpsListener } from '@app/observability';
import { ApiHealth } from './api-health';
import { HealthController } from './health.controller';

/** Public probes on API_PORT; main.ts starts the ops listener (metrics, health details) on API_METRICS_PORT. */
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [ApiHealth, { provide: AppHealth, useExisting: ApiHealth }, OpsListener],
})
export class HealthModule {}
