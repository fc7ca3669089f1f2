import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import { AppConfig } from '@app/config';
import { setTracingEnabled } from './tracing';

/** Flushes the spans not yet exported and stops the exporter. */
export type StopTracing = () => Promise<void>;

/**
 * Registers the OpenTelemetry SDK when OTEL_TRACES_EXPORTER asks for traces (and OTEL_SDK_DISABLED does not
 * forbid it). Otherwise the SDK is not even loaded and the spans in the code are a boolean test each.
 * The exporter reads the standard variables itself (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT, ...),
 * as do the sampler (OTEL_TRACES_SAMPLER) and the batch processor (OTEL_BSP_*).
 */
export async function startTracing(config: AppConfig, defaultServiceName: string): Promise<StopTracing | undefined> {
  const exporterName = config.get('OTEL_TRACES_EXPORTER');
  if (config.get('OTEL_SDK_DISABLED') || exporterName === '' || exporterName === 'none') return undefined;
  const { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { detectResources, envDetector, resourceFromAttributes } = await import('@opentelemetry/resources');
  const exporter: SpanExporter =
    exporterName === 'console' ? new ConsoleSpanExporter() : await otlpExporter(otlpProtocol(config));
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES, which wins over the default.
  const serviceName = config.get('OTEL_SERVICE_NAME');
  const resource = resourceFromAttributes({ 'service.name': defaultServiceName })
    .merge(detectResources({ detectors: [envDetector] }))
    .merge(serviceName ? resourceFromAttributes({ 'service.name': serviceName }) : null);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
  // The AsyncLocalStorage context manager and the W3C trace-context and baggage propagators.
  provider.register();
  setTracingEnabled(true);
  return async () => {
    setTracingEnabled(false);
    await provider.shutdown();
  };
}

type OtlpProtocol = 'http/protobuf' | 'http/json';

function otlpProtocol(config: AppConfig): OtlpProtocol {
  return (config.get('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ||
    config.get('OTEL_EXPORTER_OTLP_PROTOCOL') ||
    'http/protobuf') as OtlpProtocol;
}

async function otlpExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}
