import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { exitGracefullyOnSignals } from '@app/common';
import { AppConfig } from '@app/config';
import { TopicProvisioner } from '@app/kafka';
import { AppModule } from './app.module';
import { API_APP_OPTIONS, configureApp } from './bootstrap/configure-app';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, API_APP_OPTIONS);
  configureApp(app);
  exitGracefullyOnSignals(app);
  const config = app.get(AppConfig);
  await app.get(TopicProvisioner).ensureTopics();
  await app.listen(config.get('API_PORT'), config.get('API_HOST'));
}

void bootstrap();
