import { Module } from '@nestjs/common';
import { ApiTokenRepository } from '@app/persistence';
import { TokenUseRecorder } from './token-use-recorder';
import { AuthenticateTokenUseCase } from './usecases/authenticate-token/authenticate-token.usecase';
import { CreateApiTokenUseCase } from './usecases/create-api-token/create-api-token.usecase';
import { ListApiTokensUseCase } from './usecases/list-api-tokens/list-api-tokens.usecase';
import { RevokeApiTokenUseCase } from './usecases/revoke-api-token/revoke-api-token.usecase';
import { VerifiedTokenCache } from './verified-token-cache';

const useCases = [CreateApiTokenUseCase, ListApiTokensUseCase, RevokeApiTokenUseCase, AuthenticateTokenUseCase];

/** Token issuing and checking, without HTTP: the CLI imports this alone (no Kafka, no throttling). */
@Module({
  providers: [
    ...useCases,
    { provide: VerifiedTokenCache, useFactory: () => new VerifiedTokenCache() },
    {
      provide: TokenUseRecorder,
      inject: [ApiTokenRepository],
      useFactory: (tokens: ApiTokenRepository) => new TokenUseRecorder(tokens),
    },
  ],
  exports: useCases,
})
export class ApiTokensModule {}
