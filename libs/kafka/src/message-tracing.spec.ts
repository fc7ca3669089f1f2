import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { IHeaders, KafkaMessage } from 'kafkajs';
import { inSpan, setTracingEnabled, traceContextOf } from '@app/observability';
import { sendInSpan, startProcessSpan, traceSlice } from './message-tracing';

const message = (offset: string, headers: KafkaMessage['headers'] = {}): KafkaMessage =>
  ({ key: Buffer.from('k'), value: Buffer.from('{}'), offset, headers, timestamp: '0', attributes: 0 }) as KafkaMessage;

type Sent = { topic: string; key: string; headers?: IHeaders };

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

describe('Kafka message tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => {
    provider.register();
    setTracingEnabled(true);
  });
  afterEach(() => exporter.reset());
  afterAll(async () => {
    setTracingEnabled(false);
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  const finished = (name: string) => exporter.getFinishedSpans().filter((span) => span.name === name);

  it('sends a message in a producer span, child of the active span, whose traceparent goes in the headers', async () => {
    const sent: Sent[] = [];
    await inSpan('request', {}, () =>
      sendInSpan({ topic: 'commands', key: 'ev-1', value: '{}' }, async (traced) => void sent.push(traced)),
    );
    const [request] = finished('request');
    const [producer] = finished('send commands');
    expect(producer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(producer.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(sent[0].headers?.traceparent).toBe(
      `00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`,
    );
    expect(producer.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'commands',
      'messaging.kafka.message.key': 'ev-1',
    });
  });

  it("continues the trace a message's own traceparent names rather than the active one", async () => {
    const sent: Sent[] = [];
    await inSpan('a whole batch', {}, () =>
      sendInSpan(
        { topic: 'logs', key: 'ev-1', value: '{}', headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` } },
        async (traced) => void sent.push(traced),
      ),
    );
    const [producer] = finished('send logs');
    expect(producer.spanContext().traceId).toBe(TRACE_ID);
    expect(producer.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(sent[0].headers?.traceparent).toContain(producer.spanContext().spanId);
  });

  it('ends the producer span as failed when the send fails', async () => {
    const failure = new Error('broker away');
    await expect(
      sendInSpan({ topic: 'commands', key: 'ev-1', value: '{}' }, () => Promise.reject(failure)),
    ).rejects.toBe(failure);
    const [producer] = finished('send commands');
    expect(producer.status).toMatchObject({ code: 2, message: 'broker away' });
  });

  it('processes a message in a consumer span, child of the traceparent in its (Buffer) headers', () => {
    const span = startProcessSpan(
      'commands',
      3,
      message('42', { traceparent: Buffer.from(`00-${TRACE_ID}-${PARENT_ID}-01`) }),
    )!;
    span.end();
    const [consumer] = finished('process commands');
    expect(consumer.spanContext().traceId).toBe(TRACE_ID);
    expect(consumer.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(consumer.attributes).toMatchObject({
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 42,
    });
  });

  it('starts a new trace for a message without a traceparent, whatever the active context', async () => {
    await inSpan('a whole batch', {}, async () => startProcessSpan('commands', 0, message('1'))!.end());
    const [consumer] = finished('process commands');
    expect(consumer.parentSpanContext).toBeUndefined();
    expect(consumer.spanContext().traceId).not.toBe(finished('a whole batch')[0].spanContext().traceId);
  });

  it("binds each message of a slice to its own span's context, and ends them all together", async () => {
    const traced = message('1', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` });
    const untraced = message('2');
    const slice = traceSlice('logs', 0, [traced, untraced])!;
    await inSpan('persist', {}, async () => undefined, traceContextOf(traced));
    expect(finished('process logs')).toHaveLength(0);
    slice.end();
    const [first, second] = finished('process logs');
    expect(first.spanContext().traceId).toBe(TRACE_ID);
    expect(second.spanContext().traceId).not.toBe(TRACE_ID);
    expect(finished('persist')[0].parentSpanContext?.spanId).toBe(first.spanContext().spanId);
    expect(trace.getSpanContext(traceContextOf(untraced) ?? ROOT_CONTEXT)?.spanId).toBe(second.spanContext().spanId);
  });
});

describe('Kafka message tracing, off', () => {
  it('sends the message as it is and starts no span', async () => {
    const original = { topic: 'commands', key: 'ev-1', value: '{}' };
    const sent: object[] = [];
    await sendInSpan(original, async (traced) => void sent.push(traced));
    expect(sent[0]).toBe(original);
    expect(
      startProcessSpan('commands', 0, message('1', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })),
    ).toBeUndefined();
    expect(traceSlice('commands', 0, [message('1')])).toBeUndefined();
  });
});
