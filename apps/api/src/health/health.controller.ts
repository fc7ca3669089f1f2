import { Controller, Get, Header, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { publicStatus } from '@app/observability';
import { ApiErrors } from '../http/api-docs.decorators';
import { ApiHealth } from './api-health';

const STATUS_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
};
const NO_CACHE = 'no-cache, no-store, must-revalidate';

/** Probes for orchestrators, public: the status only. Details are on the ops listener (API_METRICS_PORT). */
@ApiTags('health')
@Controller()
export class HealthController {
  constructor(private readonly health: ApiHealth) {}

  @Get('health')
  @Header('Cache-Control', NO_CACHE)
  @ApiOkResponse({ description: 'The process answers.', schema: STATUS_SCHEMA })
  async live() {
    return publicStatus(await this.health.live());
  }

  @Get('ready')
  @Header('Cache-Control', NO_CACHE)
  @ApiOkResponse({ description: 'Kafka and MongoDB answer.', schema: STATUS_SCHEMA })
  @ApiErrors(HttpStatus.SERVICE_UNAVAILABLE)
  async ready() {
    return publicStatus(await this.health.ready());
  }
}
