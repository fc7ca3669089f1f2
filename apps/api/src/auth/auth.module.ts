import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { ApiTokensModule } from './api-tokens.module';
import { TokenAuthGuard } from './token-auth.guard';

/** Bearer-token authentication and the per-tenant rate limits for the /v1 controllers (see V1Controller). */
@Module({
  imports: [ApiTokensModule, RateLimitModule],
  providers: [TokenAuthGuard],
  exports: [ApiTokensModule, RateLimitModule, TokenAuthGuard],
})
export class AuthModule {}
