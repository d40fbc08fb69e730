import { ConfigError } from '@milvus-otel/config';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/settings.ts';

describe('MILVUS_STARTUP_TIMEOUT_MS', () => {
  it('waits two minutes for Milvus unless told otherwise', () => {
    expect(loadSettings({}).milvusStartupTimeoutMs).toBe(120_000);
    expect(loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: '300000' }).milvusStartupTimeoutMs).toBe(300_000);
  });

  it.each(['soon', '500', '2.5', '-1', '3600001'])('refuses %j, naming the variable and its fix', (value) => {
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(ConfigError);
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(
      `- MILVUS_STARTUP_TIMEOUT_MS is ${JSON.stringify(value)}: expected a whole number of milliseconds from 1000 to 3600000`,
    );
    expect(() => loadSettings({ MILVUS_STARTUP_TIMEOUT_MS: value })).toThrow(
      'Fix: set MILVUS_STARTUP_TIMEOUT_MS=120000',
    );
  });
});

describe('HEALTH_HOST', () => {
  it('listens on loopback unless told otherwise', () => {
    expect(loadSettings({}).healthHost).toBe('127.0.0.1');
    for (const host of ['0.0.0.0', '::', '::1', 'localhost', 'worker.internal'])
      expect(loadSettings({ HEALTH_HOST: host }).healthHost).toBe(host);
  });

  it.each(['http://0.0.0.0', '0.0.0.0:3001', '[::1]', 'a b', 'host-.example'])(
    'refuses %j, naming the variable and its fix',
    (value) => {
      expect(() => loadSettings({ HEALTH_HOST: value })).toThrow(`- HEALTH_HOST is ${JSON.stringify(value)}`);
      expect(() => loadSettings({ HEALTH_HOST: value })).toThrow('Fix: set HEALTH_HOST=127.0.0.1');
    },
  );
});
