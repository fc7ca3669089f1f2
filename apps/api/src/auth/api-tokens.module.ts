import { Module } from '@nestjs/common';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';
import { CreateApiTokenUseCase } from './usecases/create-api-token/create-api-token.usecase';
import { RevokeApiTokenUseCase } from './usecases/revoke-api-token/revoke-api-token.usecase';
import { VerifiedTokenCache } from './verified-token-cache';

const useCases = [CreateApiTokenUseCase, RevokeApiTokenUseCase, AuthenticateTokenUseCase];

/** Token issuing and checking, without HTTP: the CLI imports this alone (no Kafka, no throttling). */
@Module({
  providers: [...useCases, { provide: VerifiedTokenCache, useFactory: () => new VerifiedTokenCache() }],
  exports: useCases,
})
export class ApiTokensModule {}
