import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { validateEnvironment } from './environment';

/** Validates the environment once at start-up (the process fails fast on a bad value). */
@Global()
@Module({
  imports: [NestConfigModule.forRoot({ ignoreEnvFile: true, cache: true, validate: validateEnvironment })],
  providers: [AppConfig],
  exports: [AppConfig],
})
export class AppConfigModule {}
