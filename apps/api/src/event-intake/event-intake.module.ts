import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { EventIntakeConsumer } from './event-intake.consumer';
import { IngestPublishedEventUseCase } from './usecases/ingest-published-event/ingest-published-event.usecase';

/** Events published straight to Kafka (`webhooks.events.v1`), taken in like `POST /v1/webhooks/events`. */
@Module({
  imports: [EventsModule],
  providers: [EventIntakeConsumer, IngestPublishedEventUseCase],
})
export class EventIntakeModule {}
