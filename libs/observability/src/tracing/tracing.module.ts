import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { startTracing, StopTracing } from './start-tracing';

const SERVICE_NAME = Symbol('TRACING_SERVICE_NAME');

/** Starts tracing before the app takes requests or messages, and flushes its last spans at shutdown. */
@Injectable()
class TracingLifecycle implements OnModuleInit, OnApplicationShutdown {
  private stop?: StopTracing;

  constructor(
    private readonly config: AppConfig,
    @Inject(SERVICE_NAME) private readonly serviceName: string,
  ) {}

  async onModuleInit(): Promise<void> {
    this.stop = await startTracing(this.config, this.serviceName);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
  }
}

/** OpenTelemetry tracing, off unless OTEL_TRACES_EXPORTER names an exporter (see startTracing). */
@Module({})
export class TracingModule {
  static forRoot(serviceName: string): DynamicModule {
    return {
      module: TracingModule,
      providers: [{ provide: SERVICE_NAME, useValue: serviceName }, TracingLifecycle],
    };
  }
}
