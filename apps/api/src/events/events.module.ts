import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EventsController } from './events.controller';
import { CreateEventUseCase } from './usecases/create-event/create-event.usecase';
import { GetEventStatusUseCase } from './usecases/get-event-status/get-event-status.usecase';
import { GetEventUseCase } from './usecases/get-event/get-event.usecase';
import { ListEventLogsUseCase } from './usecases/list-event-logs/list-event-logs.usecase';
import { ListEventsUseCase } from './usecases/list-events/list-events.usecase';

@Module({
  imports: [AuthModule],
  controllers: [EventsController],
  providers: [CreateEventUseCase, ListEventsUseCase, GetEventUseCase, GetEventStatusUseCase, ListEventLogsUseCase],
  exports: [GetEventUseCase, CreateEventUseCase],
})
export class EventsModule {}
