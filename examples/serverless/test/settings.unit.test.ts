import { ConfigError } from '@milvus-otel/config';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/settings.ts';

describe('MILVUS_STARTUP_TIMEOUT_MS', () => {
  it('lets a cold start wait 5 s for Milvus unless told otherwise', () => {
    expect(loadSettings({}).milvusStartupTimeoutMs).toBe(5000);
    expect(loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: '20000' }).milvusStartupTimeoutMs).toBe(20_000);
  });

  it.each(['soon', '500', '2.5', '-1', '900001'])('refuses %j, naming the variable and its fix', (value) => {
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(ConfigError);
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(
      `- MILVUS_STARTUP_TIMEOUT_MS is ${JSON.stringify(value)}: expected a whole number of milliseconds from 1000 to 900000`,
    );
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(
      'Fix: set MILVUS_STARTUP_TIMEOUT_MS=5000',
    );
  });
});
