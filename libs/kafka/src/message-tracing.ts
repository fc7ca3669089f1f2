import { Attributes, Context, context, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { IHeaders, KafkaMessage } from 'kafkajs';
import {
  bindTraceContext,
  contextFromHeaders,
  contextWithSpan,
  endSpan,
  isTracingEnabled,
  startSpan,
  traceHeaders,
} from '@app/observability';

/** Attribute names of the OpenTelemetry messaging conventions (still incubating, so spelt out here). */
const messagingAttributes = (topic: string, operation: 'send' | 'process'): Attributes => ({
  'messaging.system': 'kafka',
  'messaging.destination.name': topic,
  'messaging.operation.type': operation,
});

/**
 * Sends a message in a producer span and puts the span's W3C trace context into its headers. A message
 * whose headers already carry a `traceparent` (a log event recorded in its delivery's trace, a replayed
 * message) continues that trace; any other is a child of the active context.
 */
export function sendInSpan<M extends { topic: string; key: string; headers?: IHeaders }>(
  message: M,
  send: (traced: M) => Promise<void>,
): Promise<void> {
  if (!isTracingEnabled()) return send(message);
  const parent = contextFromHeaders(message.headers) ?? context.active();
  const span = startSpan(
    `send ${message.topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: { ...messagingAttributes(message.topic, 'send'), 'messaging.kafka.message.key': message.key },
    },
    parent,
  );
  if (!span) return send(message);
  const headers = { ...message.headers, ...traceHeaders(contextWithSpan(span, parent)) };
  return send({ ...message, headers }).then(
    () => endSpan(span),
    (error: unknown) => {
      endSpan(span, error);
      throw error;
    },
  );
}

/** A consumed message's processing span and the context to run (and trace) its work in. */
export interface MessageSpan {
  context: Context;
  end(error?: unknown): void;
}

/**
 * Starts the processing span of a consumed message: a child of the trace its `traceparent` header names
 * (whoever published it: this service or another), or the root of a new trace. Undefined when tracing is off.
 */
export function startProcessSpan(topic: string, partition: number, message: KafkaMessage): MessageSpan | undefined {
  const parent = contextFromHeaders(message.headers) ?? ROOT_CONTEXT;
  const span = startSpan(
    `process ${topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messagingAttributes(topic, 'process'),
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
      },
    },
    parent,
  );
  if (!span) return undefined;
  return { context: contextWithSpan(span, parent), end: (error?: unknown) => endSpan(span, error) };
}

/** The processing spans of a slice of messages, ended together once the slice is handled. */
export interface TracedSlice {
  end(error?: unknown): void;
}

/**
 * Starts a processing span per message of a slice (startProcessSpan) and binds its context to the
 * message, for the handler to find with traceContextOf(message). Undefined when tracing is off.
 */
export function traceSlice(topic: string, partition: number, messages: KafkaMessage[]): TracedSlice | undefined {
  if (!isTracingEnabled()) return undefined;
  const spans = messages.map((message) => {
    const span = startProcessSpan(topic, partition, message)!;
    bindTraceContext(message, span.context);
    return span;
  });
  return { end: (error?: unknown) => spans.forEach((span) => span.end(error)) };
}
