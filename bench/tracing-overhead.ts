/**
 * What the tracing calls on the hot paths cost per delivery, off (the default) and on, measured in-process
 * (`npm run bench:tracing`). Off, each is a boolean test; on, spans are recorded and then dropped (no
 * exporter), so what is measured is the SDK's own work (span objects, ids, context switches, header injection).
 *
 * One "delivery" here is the dispatcher's per-delivery tracing path: the command message's processing span
 * (traceSlice), the deliver span around the work, the POST span, the trace headers kept for the log
 * message, and the log message's producer span (sendInSpan).
 */
import { NodeTracerProvider, NoopSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { KafkaMessage } from 'kafkajs';
import { sendInSpan, traceSlice } from '@app/kafka';
import { bindTraceContext, inSpan, setTracingEnabled, traceContextOf, traceHeaders } from '@app/observability';

const ROUNDS = 200_000;

const message = (offset: number): KafkaMessage =>
  ({
    key: null,
    value: Buffer.from('{}'),
    offset: String(offset),
    headers: {},
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

async function oneDelivery(offset: number): Promise<void> {
  const commandMessage = message(offset);
  const slice = traceSlice('commands', 0, [commandMessage]);
  const command = { commandId: `c${offset}` };
  bindTraceContext(command, traceContextOf(commandMessage));
  await inSpan(
    'deliver',
    () => ({ attributes: { 'webhooks.command_id': command.commandId } }),
    async () => {
      await inSpan(
        'POST',
        () => ({ attributes: { 'server.port': 443 } }),
        async () => undefined,
      );
      const headers = traceHeaders();
      await sendInSpan({ topic: 'logs', key: 'ev', value: '{}', headers }, async () => undefined);
    },
    traceContextOf(command),
  );
  slice?.end();
}

/** The same work without any tracing call, the baseline the two are compared with. */
async function oneUntracedDelivery(offset: number): Promise<void> {
  message(offset);
  const command = { commandId: `c${offset}` };
  await (async () => {
    await (async () => undefined)();
    await (async (_message: object) => undefined)({ topic: 'logs', key: 'ev', value: '{}', command });
  })();
}

async function nsPerDelivery(deliver: (offset: number) => Promise<void>): Promise<number> {
  for (let index = 0; index < 20_000; index++) await deliver(index); // warm-up
  // CPU time, not wall time: the machine's other load preempts this process at random.
  const started = process.cpuUsage();
  for (let index = 0; index < ROUNDS; index++) await deliver(index);
  const { user, system } = process.cpuUsage(started);
  return ((user + system) * 1e3) / ROUNDS;
}

async function main(): Promise<void> {
  // Interleaved rounds, the median of each kept: the machine's other load moves single figures a lot.
  const untraced: number[] = [];
  const off: number[] = [];
  for (let round = 0; round < 5; round++) {
    untraced.push(await nsPerDelivery(oneUntracedDelivery));
    off.push(await nsPerDelivery(oneDelivery));
  }
  const provider = new NodeTracerProvider({ spanProcessors: [new NoopSpanProcessor()] });
  provider.register();
  setTracingEnabled(true);
  const on = [await nsPerDelivery(oneDelivery), await nsPerDelivery(oneDelivery), await nsPerDelivery(oneDelivery)];
  await provider.shutdown();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = median(untraced);
  const row = (label: string, values: number[]) =>
    `${label.padEnd(27)} ${median(values).toFixed(0).padStart(6)} CPU-ns/delivery (+${(median(values) - base).toFixed(0)} ns; rounds ${values.map((value) => value.toFixed(0)).join(', ')})`;
  console.log(`${ROUNDS} deliveries a round, Node ${process.version}`);
  console.log(row('untraced (same awaits)', untraced));
  console.log(row('tracing off', off));
  console.log(row('tracing on, spans dropped', on));
}

void main();
