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

describe('DOCS_INDEX', () => {
  it('is unset by default (keep the index the collection has), and any of HNSW, IVF_FLAT, FLAT in any case', () => {
    expect(loadSettings({}).index).toBeUndefined();
    expect(loadSettings({ DOCS_INDEX: 'flat' }).index).toBe('FLAT');
    expect(loadSettings({ DOCS_INDEX: 'IVF_FLAT' }).index).toBe('IVF_FLAT');
    expect(loadSettings({ DOCS_INDEX: 'Hnsw' }).index).toBe('HNSW');
  });

  it('refuses an index the example does not build, naming the variable and its fix', () => {
    expect(() => loadSettings({ DOCS_INDEX: 'DISKANN' })).toThrow(
      /- DOCS_INDEX is "DISKANN": expected HNSW, IVF_FLAT or FLAT[\s\S]*Fix: set DOCS_INDEX=HNSW, or unset it/,
    );
  });
});
