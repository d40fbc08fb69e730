import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskFilter } from '../src/filter-mask.ts';
import {
  collectionName,
  databaseName,
  isHybridSearchRequest,
  operationName,
  parseServerAddress,
  queryVectors,
  requestAttributes,
  responseAttributes,
  responseFailure,
  spanName,
  thrownFailure,
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

describe('parseServerAddress', () => {
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
    expect(parseServerAddress(input)).toEqual(expected);
  });

  it('returns nothing for what is not an address', () => {
    expect(parseServerAddress(undefined)).toEqual({});
    expect(parseServerAddress('')).toEqual({});
    expect(parseServerAddress('http://')).toEqual({});
  });

  it('never returns the credentials of an address', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{3,10}$/),
        fc.stringMatching(/^[A-Za-z0-9]{8,16}$/),
        (user, secret) => {
          const parsed = parseServerAddress(`https://${user}:${secret}@milvus.example:19530`);
          expect(JSON.stringify(parsed)).not.toContain(secret);
          expect(parsed).toEqual({ address: 'milvus.example', port: 19530 });
        },
      ),
    );
  });
});

describe('responseFailure', () => {
  it('is undefined for a success, top-level or under status', () => {
    expect(responseFailure({ error_code: 'Success', reason: '', code: 0 })).toBeUndefined();
    expect(responseFailure({ status: { error_code: 'Success', reason: '' }, results: [] })).toBeUndefined();
    expect(responseFailure({ status: { code: 0, reason: '' } })).toBeUndefined();
    expect(responseFailure({ value: true })).toBeUndefined();
    expect(responseFailure(undefined)).toBeUndefined();
    expect(responseFailure('Success')).toBeUndefined();
  });

  it('prefers the numeric code, keeps the legacy name and the reason', () => {
    expect(
      responseFailure({
        status: { error_code: 'UnexpectedError', code: 100, reason: 'collection not found[collection=x]' },
      }),
    ).toEqual({
      statusCode: '100',
      errorCode: 'UnexpectedError',
      message: 'collection not found[collection=x]',
    });
    expect(responseFailure({ error_code: 'IndexNotExist', reason: 'index not exist' })).toEqual({
      statusCode: 'IndexNotExist',
      errorCode: 'IndexNotExist',
      message: 'index not exist',
    });
    expect(responseFailure({ status: { error_code: 'Success', code: 65535, detail: 'boom' } })).toEqual({
      statusCode: '65535',
      message: 'boom',
    });
    expect(responseFailure({ status: { error_code: 'UnexpectedError', reason: '' } })?.message).toBe(
      'Milvus error UnexpectedError',
    );
  });
});

describe('thrownFailure', () => {
  it('classifies errors, thrown status objects and anything else', () => {
    expect(thrownFailure(new TypeError('bad'))).toEqual({ type: 'TypeError', message: 'bad' });
    // A gRPC transport error (grpc-js ServiceError) is typed by its status: the server was unreachable, timed out…
    const unreachable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
    });
    expect(thrownFailure(unreachable)).toEqual({ type: 'UNAVAILABLE', message: unreachable.message });
    const late = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), {
      code: 4,
      details: 'x',
    });
    expect(thrownFailure(late).type).toBe('DEADLINE_EXCEEDED');
    expect(thrownFailure(Object.assign(new Error('odd'), { code: 99, details: 'x' })).type).toBe('Error');
    const status = thrownFailure({ error_code: 'CollectionNotExists', code: 100, reason: 'gone' });
    expect(status).toMatchObject({ type: '100', message: 'gone' });
    expect(status.status?.errorCode).toBe('CollectionNotExists');
    expect(thrownFailure('nope')).toEqual({ type: '_OTHER', message: 'nope' });
    expect(thrownFailure(undefined)).toEqual({ type: '_OTHER', message: 'unknown error' });
  });
});

describe('toCount and queryVectors', () => {
  it('reads counts from numbers and int64 strings only', () => {
    expect(toCount(3)).toBe(3);
    expect(toCount('50')).toBe(50);
    expect(toCount('')).toBeUndefined();
    expect(toCount(-1)).toBeUndefined();
    expect(toCount(1.5)).toBeUndefined();
    expect(toCount('x')).toBeUndefined();
  });

  it('counts query vectors and measures the first one', () => {
    expect(queryVectors([1, 2, 3])).toEqual({ nq: 1, dimension: 3 });
    expect(
      queryVectors([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    ).toEqual({ nq: 3, dimension: 2 });
    expect(queryVectors(new Float32Array(4))).toEqual({ nq: 1, dimension: 4 });
    expect(queryVectors([new Float32Array(5), new Float32Array(5)])).toEqual({ nq: 2, dimension: 5 });
    expect(queryVectors({ 3: 0.1, 9: 0.2 })).toEqual({ nq: 1 });
    expect(queryVectors(['text query', 'another'])).toEqual({ nq: 2 });
    expect(queryVectors(undefined)).toEqual({});
  });
});

describe('maskFilter', () => {
  it.each([
    ['id in [1, 2]', 'id in [?, ?]'],
    ['name == "x"', 'name == ?'],
    ["name == 'it''s'", 'name == ??'],
    ['name == "a \\" quoted"', 'name == ?'],
    ['age >= 18 and age < 65.5', 'age >= ? and age < ?'],
    ['score > -0.25e3', 'score > ?'],
    ['a - 1 > 2', 'a - ? > ?'],
    ['flag == true or other == False', 'flag == ? or other == ?'],
    ['color like "red%"', 'color like ?'],
    ['meta["color"] == "red"', 'meta["color"] == ?'],
    ['meta["a"]["b"] in ["x"]', 'meta["a"]["b"] in [?]'],
    ['tags[0] == 5', 'tags[0] == ?'],
    ['id in ["only"]', 'id in [?]'],
    ['json_contains(meta["tags"], "vip")', 'json_contains(meta["tags"], ?)'],
    ['array_contains_any(arr, [1, 2, 3])', 'array_contains_any(arr, [?, ?, ?])'],
    ['age > {min_age} and city in {cities}', 'age > {min_age} and city in {cities}'],
    ['field_2 == 0x1F', 'field_2 == ?'],
    ['not (id in [1])', 'not (id in [?])'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(maskFilter(input)).toBe(expected);
  });

  it('masks an unterminated string to the end', () => {
    expect(maskFilter('name == "secret')).toBe('name == ?');
  });

  it('never throws and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const once = maskFilter(text);
        expect(maskFilter(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  const field = fc.constantFrom('id', 'age', 'name', 'meta["k"]', 'price_2');
  const stringLiteral = fc
    .string({ minLength: 1, maxLength: 12 })
    .map((s) => `SECRET${s.replace(/[\\"]/g, '')}`)
    .map((s) => ({ text: JSON.stringify(s), value: s }));
  const numberLiteral = fc
    .integer({ min: 100_000, max: 9_999_999 })
    .map((n) => ({ text: String(n), value: String(n) }));
  const literal = fc.oneof(stringLiteral, numberLiteral);
  const comparison = fc
    .tuple(field, fc.constantFrom('==', '!=', '>', '<=', 'like'), literal)
    .map(([f, op, lit]) => ({
      text: `${f} ${op} ${lit.text}`,
      template: `${f} ${op} ?`,
      values: [lit.value],
    }));
  const membership = fc.tuple(field, fc.array(literal, { minLength: 1, maxLength: 4 })).map(([f, lits]) => ({
    text: `${f} in [${lits.map((l) => l.text).join(', ')}]`,
    template: `${f} in [${lits.map(() => '?').join(', ')}]`,
    values: lits.map((l) => l.value),
  }));
  const filter = fc.array(fc.oneof(comparison, membership), { minLength: 1, maxLength: 4 }).chain((parts) =>
    fc
      .array(fc.constantFrom(' and ', ' or ', ' && '), {
        minLength: parts.length - 1,
        maxLength: parts.length - 1,
      })
      .map((joins) => ({
        text: parts.map((p, i) => (i > 0 ? joins[i - 1] : '') + p.text).join(''),
        template: parts.map((p, i) => (i > 0 ? joins[i - 1] : '') + p.template).join(''),
        values: parts.flatMap((p) => p.values),
      })),
  );

  it('keeps the structure of a filter and drops every literal', () => {
    fc.assert(
      fc.property(filter, ({ text, template, values }) => {
        const masked = maskFilter(text);
        expect(masked).toBe(template);
        for (const value of values) expect(masked).not.toContain(value);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('requestAttributes', () => {
  it('describes a search without reading the vectors', () => {
    const attributes = requestAttributes('search', {
      collection_name: 'c',
      data: [
        [0.11, 0.22, 0.33],
        [0.44, 0.55, 0.66],
      ],
      anns_field: 'vector',
      limit: 5,
      offset: 2,
      filter: 'id > 10',
      output_fields: ['id', 'title'],
      partition_names: ['p1'],
      consistency_level: 'Bounded',
      params: { metric_type: 'COSINE', nprobe: 8 },
      group_by_field: 'doc_id',
    });
    expect(attributes).toEqual({
      'db.milvus.limit': 5,
      'db.milvus.offset': 2,
      'db.milvus.nq': 2,
      'db.operation.batch.size': 2,
      'db.milvus.vector.dimension': 3,
      'db.milvus.anns_field': 'vector',
      'db.milvus.metric_type': 'COSINE',
      'db.milvus.group_by_field': 'doc_id',
      'db.milvus.output_fields': ['id', 'title'],
      'db.milvus.partition_names': ['p1'],
      'db.milvus.consistency_level': 'Bounded',
    });
    expect(JSON.stringify(attributes)).not.toMatch(/0\.11|0\.55|id > 10/);
  });

  it('reads the older search shapes (vector, vectors, topk, search_params)', () => {
    expect(
      requestAttributes('search', { collection_name: 'c', vector: [1, 2, 3, 4], topk: 7 }),
    ).toMatchObject({
      'db.milvus.limit': 7,
      'db.milvus.nq': 1,
      'db.milvus.vector.dimension': 4,
    });
    const old = requestAttributes('search', {
      collection_name: 'c',
      vectors: [[1, 2]],
      search_params: { anns_field: 'v', topk: '3', metric_type: 'L2', params: '{"nprobe":4}' },
    });
    expect(old).toMatchObject({
      'db.milvus.limit': 3,
      'db.milvus.anns_field': 'v',
      'db.milvus.metric_type': 'L2',
    });
    expect(old).not.toHaveProperty('db.operation.batch.size');
  });

  it('describes a hybrid search by its sub-requests and rerank', () => {
    expect(
      requestAttributes('hybridSearch', {
        collection_name: 'c',
        data: [
          { anns_field: 'dense', data: [[1, 2, 3]], params: { nprobe: 4 } },
          { anns_field: 'sparse', data: [{ 3: 0.2 }] },
        ],
        rerank: { strategy: 'rrf', params: { k: 60 } },
        limit: 4,
      }),
    ).toEqual({
      'db.milvus.limit': 4,
      'db.milvus.search.requests': 2,
      'db.milvus.rerank.strategy': 'rrf',
      'db.milvus.nq': 1,
      'db.milvus.vector.dimension': 3,
      'db.milvus.anns_field': 'dense',
    });
  });

  it('records the filter only when asked, masked', () => {
    const request = { collection_name: 'c', filter: 'id in [1, 2] and name == "alice"', limit: 3 };
    expect(requestAttributes('query', request)).toEqual({ 'db.milvus.limit': 3 });
    expect(requestAttributes('query', request, { captureFilter: true })).toEqual({
      'db.milvus.limit': 3,
      'db.query.text': 'id in [?, ?] and name == ?',
    });
    expect(requestAttributes('delete', { expr: 'id == 4' }, { captureFilter: true })).toEqual({
      'db.query.text': 'id == ?',
    });
    expect(requestAttributes('insert', { filter: 'x == 1' }, { captureFilter: true })).toEqual({});
  });

  it('counts rows of a write, never reads them', () => {
    expect(requestAttributes('insert', { data: [{ id: 1 }, { id: 2 }, { id: 3 }] })).toEqual({
      'db.milvus.row_count': 3,
    });
    expect(requestAttributes('upsert', { fields_data: [{ id: 1 }], partition_name: 'p' })).toEqual({
      'db.milvus.row_count': 1,
      'db.milvus.partition_names': ['p'],
    });
  });

  it('describes an index, in the current and the older request shape', () => {
    expect(
      requestAttributes('createIndex', {
        collection_name: 'c',
        field_name: 'vector',
        index_name: 'vec_idx',
        index_type: 'HNSW',
        metric_type: 'IP',
        params: { M: 16 },
      }),
    ).toEqual({
      'db.milvus.field_name': 'vector',
      'db.milvus.index.name': 'vec_idx',
      'db.milvus.index.type': 'HNSW',
      'db.milvus.metric_type': 'IP',
    });
    expect(
      requestAttributes('createIndex', {
        collection_name: 'c',
        field_name: 'v',
        extra_params: { index_type: 'IVF_FLAT', metric_type: 'L2', params: '{"nlist":16}' },
      }),
    ).toEqual({
      'db.milvus.field_name': 'v',
      'db.milvus.index.type': 'IVF_FLAT',
      'db.milvus.metric_type': 'L2',
    });
    expect(
      requestAttributes('createIndex', [{ collection_name: 'c', field_name: 'v', index_type: 'FLAT' }]),
    ).toEqual({
      'db.milvus.field_name': 'v',
      'db.milvus.index.type': 'FLAT',
    });
  });

  it('reads the vector dimension of a new collection', () => {
    expect(requestAttributes('createCollection', { collection_name: 'c', dimension: 768 })).toEqual({
      'db.milvus.vector.dimension': 768,
    });
    expect(
      requestAttributes('createCollection', {
        collection_name: 'c',
        consistency_level: 'Strong',
        fields: [
          { name: 'id', data_type: 5 },
          { name: 'v', data_type: 101, type_params: { dim: '128' } },
        ],
      }),
    ).toEqual({ 'db.milvus.vector.dimension': 128, 'db.milvus.consistency_level': 'Strong' });
  });

  it('ignores credentials and unknown shapes', () => {
    expect(requestAttributes('createUser', { username: 'bob', password: 'hunter2' })).toEqual({});
    expect(requestAttributes('updateUser', { username: 'bob', oldPassword: 'a', newPassword: 'b' })).toEqual(
      {},
    );
    expect(requestAttributes('search', null)).toEqual({});
    expect(requestAttributes('search', { data: 'oops', limit: 'many' })).toEqual({ 'db.milvus.nq': 1 });
  });
});

describe('responseAttributes', () => {
  it('counts the hits of a search, for one or several query vectors', () => {
    expect(responseAttributes('search', { status: {}, results: [{ id: 1 }, { id: 2 }] })).toEqual({
      'db.response.returned_rows': 2,
    });
    expect(responseAttributes('search', { results: [[{ id: 1 }], [{ id: 2 }, { id: 3 }]] })).toEqual({
      'db.response.returned_rows': 3,
    });
    expect(responseAttributes('hybridSearch', { results: [] })).toEqual({ 'db.response.returned_rows': 0 });
  });

  it('counts query rows and the mutation counts the server reports', () => {
    expect(responseAttributes('query', { data: [{}, {}, {}] })).toEqual({ 'db.response.returned_rows': 3 });
    expect(responseAttributes('get', { data: [] })).toEqual({ 'db.response.returned_rows': 0 });
    expect(responseAttributes('insert', { insert_cnt: '50' })).toEqual({ 'db.milvus.insert_count': 50 });
    expect(responseAttributes('upsert', { upsert_cnt: '1' })).toEqual({ 'db.milvus.upsert_count': 1 });
    expect(responseAttributes('delete', { delete_cnt: '2' })).toEqual({ 'db.milvus.delete_count': 2 });
    expect(responseAttributes('describeCollection', { schema: {} })).toEqual({});
    expect(responseAttributes('search', undefined)).toEqual({});
  });
});
