import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RetriesController } from './retries.controller';
import { RetryEventUseCase } from './usecases/retry-event/retry-event.usecase';

/** Manual retry of one event (bulk retries are the retry-jobs module). */
@Module({
  imports: [AuthModule],
  controllers: [RetriesController],
  providers: [RetryEventUseCase],
})
export class RetriesModule {}
