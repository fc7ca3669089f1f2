import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitGracefullyOnSignals, exitOnStartFailure } from '@app/common';
import { AppConfig } from '@app/config';
import { kafkaConfigurationError, TopicProvisioner } from '@app/kafka';
import { OpsListener } from '@app/observability';
import { DispatcherModule } from './dispatcher.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(DispatcherModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  exitGracefullyOnSignals(app);
  const config = app.get(AppConfig);
  await app.get(TopicProvisioner).ensureTopics();
  await app.get(OpsListener).listen(config.get('DISPATCHER_METRICS_PORT'), config.get('DISPATCHER_METRICS_HOST'));
  await app.listen(config.get('DISPATCHER_PORT'), config.get('DISPATCHER_HOST'));
}

// Refused credentials or an untrusted certificate end the start with a line naming the setting.
bootstrap().catch((error: unknown) => exitOnStartFailure(kafkaConfigurationError(error) ?? error));
