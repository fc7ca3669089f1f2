import { Controller, Get, Header } from '@nestjs/common';
import { publicStatus } from '@app/observability';
import { DispatcherHealth } from './dispatcher-health';

/** Probes on DISPATCHER_PORT: the status only. Details are on the ops listener (DISPATCHER_METRICS_PORT). */
@Controller()
export class HealthController {
  constructor(private readonly health: DispatcherHealth) {}

  @Get(['health', 'ready'])
  @Header('Cache-Control', 'no-cache, no-store, must-revalidate')
  async check() {
    return publicStatus(await this.health.ready());
  }
}
