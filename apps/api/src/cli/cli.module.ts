import { Module } from '@nestjs/common';
import { AppConfigModule } from '@app/config';
import { PersistenceModule } from '@app/persistence';
import { ApiTokensModule } from '../auth/api-tokens.module';

/** Just enough of the API for operator commands: config and MongoDB, no Kafka, no HTTP. */
@Module({
  imports: [AppConfigModule, PersistenceModule, ApiTokensModule],
})
export class CliModule {}
