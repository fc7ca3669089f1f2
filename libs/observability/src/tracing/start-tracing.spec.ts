import { context, trace } from '@opentelemetry/api';
import { AppConfig, Environment } from '@app/config';
import { startTracing } from './start-tracing';
import { inSpan, isTracingEnabled, traceHeaders } from './tracing';

const configOf = (settings: Partial<Environment>): AppConfig =>
  ({ get: (key: keyof Environment) => ({ ...new Environment(), ...settings })[key] }) as AppConfig;

describe('startTracing', () => {
  // Not between tests: the module's tracer belongs to the global provider that disable() replaces.
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it.each([
    ['no exporter', {}],
    ['OTEL_TRACES_EXPORTER=none', { OTEL_TRACES_EXPORTER: 'none' }],
    ['OTEL_SDK_DISABLED=true', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: true }],
  ])('registers nothing with %s: spans are not even started', async (_case, settings) => {
    expect(await startTracing(configOf(settings), 'webhook-test')).toBeUndefined();
    expect(isTracingEnabled()).toBe(false);
    await inSpan('work', {}, async (span) => expect(span).toBeUndefined());
    expect(traceHeaders()).toBeUndefined();
  });

  it('registers the SDK for an exporter, propagates W3C trace context, and flushes and turns off once stopped', async () => {
    // The console exporter, since jest cannot run the OTLP exporter's transport (a dynamic import).
    const printed = jest.spyOn(console, 'dir').mockImplementation(() => undefined);
    const stop = await startTracing(configOf({ OTEL_TRACES_EXPORTER: 'console' }), 'webhook-test');
    expect(isTracingEnabled()).toBe(true);
    await inSpan('work', {}, async (span) => {
      const { traceId, spanId } = span!.spanContext();
      expect(traceHeaders()).toEqual({ traceparent: `00-${traceId}-${spanId}-01` });
    });
    await stop!();
    expect(isTracingEnabled()).toBe(false);
    expect(printed).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'work',
        resource: { attributes: expect.objectContaining({ 'service.name': 'webhook-test' }) },
      }),
      expect.anything(),
    );
    printed.mockRestore();
  });
});
