import { Controller, Get, Header } from '@nestjs/common';
import { publicStatus } from '@app/observability';
import { DispatcherHealth } from './dispatcher-health';

const NO_CACHE = 'no-cache, no-store, must-revalidate';

/** Probes on DISPATCHER_PORT: the status only. Details are on the ops listener (DISPATCHER_METRICS_PORT). */
@Controller()
export class HealthController {
  constructor(private readonly health: DispatcherHealth) {}

  @Get('health')
  @Header('Cache-Control', NO_CACHE)
  async live() {
    return publicStatus(await this.health.live());
  }

  @Get('ready')
  @Header('Cache-Control', NO_CACHE)
  async ready() {
    return publicStatus(await this.health.ready());
  }
}
