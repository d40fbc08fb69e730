import { describe, expect, it } from 'vitest';
import { queryVectors, requestAttributes, responseAttributes } from '../src/attributes.ts';

describe('queryVectors', () => {
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
