import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '@app/config';
import { ApiTokensModule } from './api-tokens.module';
import { SlidingWindowThrottlerStorage } from './sliding-window-throttler.storage';
import { TokenAuthGuard } from './token-auth.guard';
import { TokenThrottlerGuard } from './token-throttler.guard';

/** Bearer-token authentication and per-token rate limiting for the /v1 controllers (see V1Controller). */
@Module({
  imports: [
    ApiTokensModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // Also sends X-RateLimit-* headers on every response; turning them off would drop Retry-After on 429 too.
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.get('RATE_LIMIT_PER_MINUTE') }],
        storage: new SlidingWindowThrottlerStorage(),
      }),
    }),
  ],
  providers: [TokenAuthGuard, TokenThrottlerGuard],
  exports: [ApiTokensModule, TokenAuthGuard, TokenThrottlerGuard],
})
export class AuthModule {}
