import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { exitGracefullyOnSignals, exitOnStartFailure } from '@app/common';
import { AppConfig } from '@app/config';
import { kafkaConfigurationError, TopicProvisioner } from '@app/kafka';
import { OpsListener } from '@app/observability';
import { AppModule } from './app.module';
import { API_APP_OPTIONS, configureApp } from './bootstrap/configure-app';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, API_APP_OPTIONS);
  configureApp(app);
  exitGracefullyOnSignals(app);
  const config = app.get(AppConfig);
  await app.get(TopicProvisioner).ensureTopics();
  // Before the public port, so that metrics are there once /ready answers.
  await app.get(OpsListener).listen(config.get('API_METRICS_PORT'), config.get('API_METRICS_HOST'));
  await app.listen(config.get('API_PORT'), config.get('API_HOST'));
}

// Refused credentials or an untrusted certificate end the start with a line naming the setting.
bootstrap().catch((error: unknown) => exitOnStartFailure(kafkaConfigurationError(error) ?? error));
