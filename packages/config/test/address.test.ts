import { describe, expect, it } from 'vitest';
import { parseHostPort } from '../src/address.js';

describe('parseHostPort', () => {
  it.each([
    ['localhost:19530', { host: 'localhost', port: 19530, portGiven: true }],
    ['http://milvus:19530', { host: 'milvus', port: 19530, portGiven: true }],
    [
      'https://in01.cloud.zilliz.com:443/v1?x=1',
      { host: 'in01.cloud.zilliz.com', port: 443, portGiven: true },
    ],
    ['root:Milvus@db.local:19530', { host: 'db.local', port: 19530, portGiven: true }],
    ['http://user:p%40ss@db.local:19530/', { host: 'db.local', port: 19530, portGiven: true }],
    ['[::1]:19530', { host: '::1', port: 19530, portGiven: true }],
    ['http://[2001:db8::1]:4318/v1/traces', { host: '2001:db8::1', port: 4318, portGiven: true }],
    ['::1', { host: '::1', port: undefined, portGiven: false }],
    ['jaeger', { host: 'jaeger', port: undefined, portGiven: false }],
    ['  jaeger:4317  ', { host: 'jaeger', port: 4317, portGiven: true }],
  ])('%s', (text, expected) => {
    expect(parseHostPort(text)).toEqual(expected);
  });

  it('fills in the default port only when the text names none', () => {
    expect(parseHostPort('milvus', 19530)).toEqual({ host: 'milvus', port: 19530, portGiven: false });
    expect(parseHostPort('milvus:443', 19530)).toEqual({ host: 'milvus', port: 443, portGiven: true });
  });

  it('reports a port that is not one as given but undefined', () => {
    for (const text of ['milvus:0', 'milvus:65536', 'milvus:12x', 'milvus:']) {
      expect(parseHostPort(text, 19530)).toEqual({ host: 'milvus', port: undefined, portGiven: true });
    }
  });

  it('returns undefined when no host is left', () => {
    for (const text of ['', '   ', 'http://', ':19530', '[::1', '[::1]x', 'user@']) {
      expect(parseHostPort(text)).toBeUndefined();
    }
  });
});
