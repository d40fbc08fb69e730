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

describe('loadSettings', () => {
  it("names the function's bad variables and the Milvus connection's in one error", () => {
    let error: unknown;
    try {
      loadSettings({
        MILVUS_STARTUP_TIMEOUT_MS: 'soon',
        MILVUS_ADDRESS: 'localhost:99999',
        DOCS_COLLECTION: '9x',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.key).sort()).toEqual([
      'DOCS_COLLECTION',
      'MILVUS_ADDRESS',
      'MILVUS_STARTUP_TIMEOUT_MS',
    ]);
    expect((error as ConfigError).message).toMatch(/^Invalid serverless example settings \(3 problems\):/);
  });
});
