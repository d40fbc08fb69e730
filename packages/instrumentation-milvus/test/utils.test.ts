import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectionName,
  databaseName,
  isHybridSearchRequest,
  operationName,
  serverAddress,
  spanName,
  toCount,
} from '../src/utils.ts';

describe('spanName', () => {
  it('is "{operation} {collection}", or the operation alone', () => {
    expect(spanName('search', 'docs')).toBe('search docs');
    expect(spanName('listDatabases', undefined)).toBe('listDatabases');
    expect(spanName('createUser', '')).toBe('createUser');
  });
});

describe('operationName', () => {
  it('tells a hybrid search from a search by the request shape', () => {
    const hybrid = { collection_name: 'c', data: [{ anns_field: 'v', data: [[1, 2]] }] };
    expect(isHybridSearchRequest(hybrid)).toBe(true);
    expect(operationName('search', hybrid)).toBe('hybridSearch');
    expect(operationName('search', { collection_name: 'c', data: [[1, 2]] })).toBe('search');
    expect(operationName('search', { collection_name: 'c', data: [{ 3: 0.5 }] })).toBe('search');
    expect(operationName('search', { collection_name: 'c', data: [new Float32Array(2)] })).toBe('search');
    expect(operationName('search', undefined)).toBe('search');
    expect(operationName('query', hybrid)).toBe('query');
  });
});

describe('collectionName', () => {
  it('reads collection_name, or the only entry of collection_names', () => {
    expect(collectionName({ collection_name: 'a' })).toBe('a');
    expect(collectionName({ collection_names: ['a'] })).toBe('a');
    expect(collectionName({ collection_names: ['a', 'b'] })).toBeUndefined();
    expect(collectionName([{ collection_name: 'a', field_name: 'v' }])).toBe('a');
    expect(collectionName({ collection_name: '' })).toBeUndefined();
    expect(collectionName({ collection_name: 7 })).toBeUndefined();
    expect(collectionName(null)).toBeUndefined();
    expect(collectionName('a')).toBeUndefined();
  });
});

describe('databaseName', () => {
  it('prefers the request, then the client, then "default"', () => {
    expect(databaseName({ db_name: 'analytics' }, 'other')).toBe('analytics');
    expect(databaseName({}, 'other')).toBe('other');
    expect(databaseName(undefined, undefined)).toBe('default');
    expect(databaseName({ db_name: '' }, '')).toBe('default');
  });
});

describe('serverAddress', () => {
  it.each([
    ['127.0.0.1:19530', { address: '127.0.0.1', port: 19530 }],
    ['localhost:19530', { address: 'localhost', port: 19530 }],
    ['http://milvus.local:19530', { address: 'milvus.local', port: 19530 }],
    ['https://in01-abc.zillizcloud.com:19541/path?x=1', { address: 'in01-abc.zillizcloud.com', port: 19541 }],
    ['https://in01-abc.zillizcloud.com', { address: 'in01-abc.zillizcloud.com', port: 443 }],
    ['[::1]:19530', { address: '::1', port: 19530 }],
    ['[::1]', { address: '::1', port: 443 }],
    ['user:secret@db.internal:19530', { address: 'db.internal', port: 19530 }],
    ['host:notaport', { address: 'host', port: undefined }],
  ])('%s', (input, expected) => {
    expect(serverAddress(input)).toEqual(expected);
  });

  it('returns nothing for what is not an address', () => {
    expect(serverAddress(undefined)).toEqual({});
    expect(serverAddress('')).toEqual({});
    expect(serverAddress('http://')).toEqual({});
  });

  it('never returns the credentials of an address', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{3,10}$/),
        fc.stringMatching(/^[A-Za-z0-9]{8,16}$/),
        (user, secret) => {
          const parsed = serverAddress(`https://${user}:${secret}@milvus.example:19530`);
          expect(JSON.stringify(parsed)).not.toContain(secret);
          expect(parsed).toEqual({ address: 'milvus.example', port: 19530 });
        },
      ),
    );
  });
});

describe('toCount', () => {
  it('reads counts from numbers and int64 strings only', () => {
    expect(toCount(3)).toBe(3);
    expect(toCount('50')).toBe(50);
    expect(toCount('')).toBeUndefined();
    expect(toCount(-1)).toBeUndefined();
    expect(toCount(1.5)).toBeUndefined();
    expect(toCount('x')).toBeUndefined();
  });
});
