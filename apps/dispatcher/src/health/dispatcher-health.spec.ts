import { ServiceUnavailableException } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '@app/kafka';
import { MongoHealthIndicator } from '@app/persistence';
import { DeliveryCommandConsumer } from '../dispatch/delivery-command.consumer';
import { DispatcherHealth } from './dispatcher-health';
import { HealthController } from './health.controller';

interface World {
  kafka: boolean;
  mongo: boolean;
  consumerRunning: boolean;
}

/** Indicators that answer as `world` says, through terminus' own indicator results. */
async function setUp(world: World) {
  const dependency = (key: string, up: () => boolean) => ({
    provide: key === 'kafka' ? KafkaHealthIndicator : MongoHealthIndicator,
    inject: [HealthIndicatorService],
    useFactory: (indicators: HealthIndicatorService) => ({
      isHealthy: async () => {
        const indicator = indicators.check(key);
        return up() ? indicator.up() : indicator.down({ message: `${key} unreachable` });
      },
    }),
  });
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [
      DispatcherHealth,
      dependency('kafka', () => world.kafka),
      dependency('mongodb', () => world.mongo),
      {
        provide: DeliveryCommandConsumer,
        useValue: {
          get isRunning() {
            return world.consumerRunning;
          },
        },
      },
    ],
  }).compile();
  return { health: moduleRef.get(DispatcherHealth), controller: moduleRef.get(HealthController) };
}

const allUp: World = { kafka: true, mongo: true, consumerRunning: true };

describe('DispatcherHealth', () => {
  it.each<[string, Partial<World>]>([
    ['all up', {}],
    ['Kafka unreachable', { kafka: false }],
    ['MongoDB unreachable', { mongo: false }],
    ['both unreachable', { kafka: false, mongo: false }],
    ['the command consumer stopped (draining at shutdown)', { consumerRunning: false }],
  ])('stays live with %s: liveness checks no dependency', async (_, changes) => {
    const { health, controller } = await setUp({ ...allUp, ...changes });
    const live = await health.live();
    expect(live.healthy).toBe(true);
    expect(JSON.stringify(live.details)).not.toMatch(/kafka|mongodb|consumer/);
    await expect(controller.live()).resolves.toEqual({ status: 'ok' });
  });

  it('is ready when Kafka, MongoDB and the command consumer are all up', async () => {
    const { health, controller } = await setUp(allUp);
    const ready = await health.ready();
    expect(ready).toEqual({
      healthy: true,
      details: expect.objectContaining({
        status: 'ok',
        details: { kafka: { status: 'up' }, mongodb: { status: 'up' }, consumer: { status: 'up' } },
      }),
    });
    await expect(controller.ready()).resolves.toEqual({ status: 'ok' });
  });

  it.each<[string, Partial<World>, string, string]>([
    ['Kafka is unreachable', { kafka: false }, 'kafka', 'kafka unreachable'],
    ['MongoDB is unreachable', { mongo: false }, 'mongodb', 'mongodb unreachable'],
    ['the command consumer is not running', { consumerRunning: false }, 'consumer', 'command consumer not running'],
  ])('is not ready when %s, and names it in the details', async (_, changes, check, message) => {
    const { health, controller } = await setUp({ ...allUp, ...changes });
    const ready = await health.ready();
    expect(ready.healthy).toBe(false);
    expect(ready.details).toEqual(
      expect.objectContaining({ status: 'error', error: { [check]: { status: 'down', message } } }),
    );
    // The public port answers 503 with the status alone; what is down stays on the ops listener.
    const refusal = await controller.ready().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ServiceUnavailableException);
    expect(JSON.stringify((refusal as ServiceUnavailableException).getResponse())).not.toContain(message);
  });
});
