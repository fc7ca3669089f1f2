import { Module } from '@nestjs/common';
import { ConsumerGroup } from '@app/contracts';
import { ConsumerGroupLagModule } from '@app/kafka';
import { EventsModule } from '../events/events.module';
import { EventIntakeConsumer } from './event-intake.consumer';
import { IngestPublishedEventUseCase } from './usecases/ingest-published-event/ingest-published-event.usecase';

/** Events published straight to Kafka (`webhooks.events.v1`), taken in like `POST /v1/webhooks/events`. */
@Module({
  imports: [EventsModule, ConsumerGroupLagModule.forGroups(ConsumerGroup.EventIntake)],
  providers: [EventIntakeConsumer, IngestPublishedEventUseCase],
})
export class EventIntakeModule {}
