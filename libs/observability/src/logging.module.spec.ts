import { Controller, Get, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { storage } from 'nestjs-pino/storage';
import request from 'supertest';
import { AppConfig, AppConfigModule } from '@app/config';
import { LoggingModule } from './logging.module';

@Controller()
class ProbeController {
  /** Whether the request being served has a logger bound to it (nestjs-pino keeps it in an AsyncLocalStorage). */
  @Get('probe')
  probe(): { boundLogger: boolean } {
    return { boundLogger: storage.getStore() !== undefined };
  }
}

const quietConfig = { get: (key: string) => ({ LOG_LEVEL: 'silent', LOG_FILE: '' })[key] };

describe('LoggingModule', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const probe = async (requestLogs: boolean): Promise<{ boundLogger: boolean }> => {
    const testing = await Test.createTestingModule({
      imports: [AppConfigModule, LoggingModule.forRoot({ requestLogs })],
      controllers: [ProbeController],
    })
      .overrideProvider(AppConfig)
      .useValue(quietConfig)
      .compile();
    app = testing.createNestApplication({ logger: false });
    await app.init();
    const response = await request(app.getHttpServer()).get('/probe').expect(200);
    return response.body as { boundLogger: boolean };
  };

  it('binds a logger to each request of an app that logs its requests', async () => {
    expect(await probe(true)).toEqual({ boundLogger: true });
  });

  it('binds none in an app whose HTTP serves only health and metrics', async () => {
    expect(await probe(false)).toEqual({ boundLogger: false });
  });
});
