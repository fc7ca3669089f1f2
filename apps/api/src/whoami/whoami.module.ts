import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { WhoamiController } from './whoami.controller';

/** GET /v1/whoami: which tenant and token a bearer token stands for. */
@Module({
  imports: [AuthModule],
  controllers: [WhoamiController],
})
export class WhoamiModule {}
