import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { KafkaModule } from '@app/kafka';
import { DeadLetterReader } from './dead-letter-reader';
import { ReplayDeadLettersUseCase } from './replay-dead-letters.usecase';

/** The dead-letter commands need Kafka only: no MongoDB, no HTTP. */
@Module({
  imports: [AppConfigModule, KafkaModule],
  providers: [DeadLetterReader, ReplayDeadLettersUseCase],
})
export class DeadLettersCliModule {}
