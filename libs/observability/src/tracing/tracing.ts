import {
  Context,
  context,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanOptions,
  SpanStatusCode,
  TextMapGetter,
  trace,
} from '@opentelemetry/api';

/** One instrumentation scope for every span the apps make. */
const tracer = trace.getTracer('webhook-delivery');

/**
 * Set once the SDK is registered (startTracing). While false, every helper here returns before touching
 * the OpenTelemetry API: tracing off costs the hot paths one boolean test.
 */
let enabled = false;

export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

export function isTracingEnabled(): boolean {
  return enabled;
}

/** Kafka and HTTP headers alike: a value may be a string, a Buffer or a list of them. */
type HeaderValue = string | Buffer | (string | Buffer)[] | undefined;
export type TraceCarrier = Record<string, HeaderValue>;

const headerGetter: TextMapGetter<TraceCarrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value.map(String);
    return value.toString();
  },
};

/** The W3C trace context (traceparent, tracestate) of `parent`, as headers; undefined when tracing is off. */
export function traceHeaders(parent: Context = context.active()): Record<string, string> | undefined {
  if (!enabled) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(parent, carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** The trace context that headers carry (a `traceparent` header), or undefined when there is none or tracing is off. */
export function contextFromHeaders(headers: TraceCarrier | undefined): Context | undefined {
  if (!enabled || !headers || headers.traceparent === undefined) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

/**
 * Starts a span that the caller ends (spans that outlive one call: a request, a message's processing).
 * `parent` undefined means the active context. Undefined when tracing is off.
 */
export function startSpan(name: string, options: SpanOptions, parent?: Context): Span | undefined {
  if (!enabled) return undefined;
  return tracer.startSpan(name, options, parent ?? context.active());
}

/** The context in which `span` is the active span (for children and for trace headers). */
export function contextWithSpan(span: Span, parent?: Context): Context {
  return trace.setSpan(parent ?? context.active(), span);
}

/** Ends a span, as failed when `error` is given. */
export function endSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * Runs `work` in a new span, active for everything `work` starts, and ends it when `work` settles (failed if
 * it throws). `parent` undefined means the active context. With tracing off, `work` runs as is, and
 * `options` as a function is never called (attributes cost nothing then).
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions | (() => SpanOptions),
  work: (span: Span | undefined) => Promise<T>,
  parent?: Context,
): Promise<T> {
  if (!enabled) return work(undefined);
  const span = tracer.startSpan(name, typeof options === 'function' ? options() : options, parent ?? context.active());
  return runInSpan(span, work, parent);
}

async function runInSpan<T>(span: Span, work: (span: Span) => Promise<T>, parent?: Context): Promise<T> {
  try {
    const result = await context.with(trace.setSpan(parent ?? context.active(), span), () => work(span));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

/** Runs `work` with `parent` as the active context (as is when undefined, e.g. tracing off). */
export function withContext<T>(parent: Context | undefined, work: () => T): T {
  return parent ? context.with(parent, work) : work();
}

/**
 * The trace context of an object that travels through batched code (a consumed command, a finished
 * attempt), where the active context is a whole batch's rather than the object's own.
 */
const contexts = new WeakMap<object, Context>();

export function bindTraceContext(target: object, traceContext: Context | undefined): void {
  if (traceContext) contexts.set(target, traceContext);
}

export function traceContextOf(target: object): Context | undefined {
  return enabled ? contexts.get(target) : undefined;
}
