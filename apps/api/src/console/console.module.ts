import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DELIVERY_ATTEMPT_MODEL, DeliveryAttemptSchema } from '@app/persistence';
import { AuthModule } from '../auth/auth.module';
import { ConsoleAssetsController } from './assets/console-assets.controller';
import { DeliveryAttemptStatsReader } from './delivery-attempt-stats.reader';
import { StatsController } from './stats.controller';
import { CountDeliveriesPerMinuteUseCase } from './usecases/count-deliveries-per-minute/count-deliveries-per-minute.usecase';
import { GetWebhookSuccessRatesUseCase } from './usecases/get-webhook-success-rates/get-webhook-success-rates.usecase';

/**
 * The ops console: its built page at /console, and the aggregates it charts (/v1/stats/...), which any
 * API client may use too. Everything else the page shows comes from the existing /v1 endpoints.
 */
@Module({
  imports: [
    AuthModule,
    // The model PersistenceModule registers (same schema object, so mongoose hands back the same model).
    MongooseModule.forFeature([{ name: DELIVERY_ATTEMPT_MODEL, schema: DeliveryAttemptSchema }]),
  ],
  controllers: [ConsoleAssetsController, StatsController],
  providers: [DeliveryAttemptStatsReader, CountDeliveriesPerMinuteUseCase, GetWebhookSuccessRatesUseCase],
})
export class ConsoleModule {}
