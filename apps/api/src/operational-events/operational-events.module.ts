import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { EmitEndpointActivationUseCase } from './usecases/emit-endpoint-activation/emit-endpoint-activation.usecase';
import { EmitOperationalEventUseCase } from './usecases/emit-operational-event/emit-operational-event.usecase';

/** What the API emits to a tenant's operational webhooks: manual disables and enables, finished retry jobs. */
@Module({
  imports: [EventsModule],
  providers: [EmitOperationalEventUseCase, EmitEndpointActivationUseCase],
  exports: [EmitOperationalEventUseCase, EmitEndpointActivationUseCase],
})
export class OperationalEventsModule {}
