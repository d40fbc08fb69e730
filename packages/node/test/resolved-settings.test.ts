/**
 * The `--import` entry resolves the settings before it starts the SDK (to decide on the loader hook): the SDK starts
 * with those settings and does not parse the environment a second time.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, registerWith, resolveSettings, shutdown } from '../src/sdk.ts';

afterAll(async () => {
  await shutdown();
});

describe('resolveSettings', () => {
  it('reads the environment, then lets the options win', () => {
    const { data, warnings } = resolveSettings({
      env: { OTEL_SERVICE_NAME: 'from-env', MILVUS_OTEL_EXPRESS_LAYERS: 'all' },
      serviceName: 'from-option',
      expressLayers: 'handlers',
    });
    expect(data.serviceName).toBe('from-option');
    expect(data.expressLayers).toBe('handlers');
    expect(warnings).toEqual([]);
  });

  it('throws one ConfigError for a bad variable or option', () => {
    expect(() => resolveSettings({ env: { OTEL_TRACES_SAMPLER: 'sometimes' } })).toThrow(ConfigError);
    expect(() => resolveSettings({ env: {}, dbStatements: 'some' as never })).toThrow(ConfigError);
  });
});

describe('registerWith', () => {
  it('starts with the settings it is given, without reading the environment again', async () => {
    const resolved = resolveSettings({ env: { OTEL_SERVICE_NAME: 'resolved-once' } });
    // Any read of this environment throws: parsing it again would fail the start.
    const unreadable = new Proxy(
      {},
      {
        get: () => {
          throw new Error('the environment was read again');
        },
        ownKeys: () => {
          throw new Error('the environment was read again');
        },
      },
    );
    const handle = registerWith(
      {
        env: unreadable,
        traceExporter: new InMemorySpanExporter(),
        instrumentations: [],
        handleSignals: false,
      },
      resolved,
    );
    expect(handle.enabled).toBe(true);
    expect(handle.settings).toBe(resolved.data);
    expect(handle.settings.serviceName).toBe('resolved-once');
  });
});
