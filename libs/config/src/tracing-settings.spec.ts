import { validateEnvironment } from './environment';

describe('tracing settings', () => {
  it('leaves tracing off unless asked', () => {
    expect(validateEnvironment({})).toMatchObject({
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_SDK_DISABLED: false,
      OTEL_EXPORTER_OTLP_PROTOCOL: '',
      OTEL_SERVICE_NAME: '',
    });
  });

  it.each(['otlp', 'console', 'none'])('takes OTEL_TRACES_EXPORTER=%s', (exporter) => {
    expect(validateEnvironment({ OTEL_TRACES_EXPORTER: exporter }).OTEL_TRACES_EXPORTER).toBe(exporter);
  });

  it.each(['zipkin', 'otlp,console', 'OTLP'])('refuses OTEL_TRACES_EXPORTER=%s, naming the choices', (exporter) => {
    expect(() => validateEnvironment({ OTEL_TRACES_EXPORTER: exporter })).toThrow(
      /OTEL_TRACES_EXPORTER must be one of: none, otlp, console/,
    );
  });

  it.each([['OTEL_EXPORTER_OTLP_PROTOCOL'], ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']])(
    'takes http/json for %s and refuses grpc, which is not bundled',
    (name) => {
      expect(validateEnvironment({ [name]: 'http/json' })).toMatchObject({ [name]: 'http/json' });
      expect(() => validateEnvironment({ [name]: 'grpc' })).toThrow(
        new RegExp(`${name} must be one of: http/protobuf, http/json`),
      );
    },
  );

  it('reads OTEL_SDK_DISABLED as a boolean', () => {
    expect(validateEnvironment({ OTEL_SDK_DISABLED: 'true' }).OTEL_SDK_DISABLED).toBe(true);
  });
});
