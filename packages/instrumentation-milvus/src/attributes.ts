/* Milvus attributes of a request and of its response, by operation: names, sizes and settings, never values. */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_DB_OPERATION_BATCH_SIZE, ATTR_DB_QUERY_TEXT } from '@opentelemetry/semantic-conventions';
import { maskFilter } from './filter-mask.ts';
import { FILTER_OPERATIONS, INDEX_OPERATIONS, SEARCH_OPERATIONS } from './operations.ts';
import {
  ATTR_DB_MILVUS_ANNS_FIELD,
  ATTR_DB_MILVUS_CONSISTENCY_LEVEL,
  ATTR_DB_MILVUS_DELETE_COUNT,
  ATTR_DB_MILVUS_FIELD_NAME,
  ATTR_DB_MILVUS_GROUP_BY_FIELD,
  ATTR_DB_MILVUS_INDEX_NAME,
  ATTR_DB_MILVUS_INDEX_TYPE,
  ATTR_DB_MILVUS_INSERT_COUNT,
  ATTR_DB_MILVUS_LIMIT,
  ATTR_DB_MILVUS_METRIC_TYPE,
  ATTR_DB_MILVUS_NQ,
  ATTR_DB_MILVUS_OFFSET,
  ATTR_DB_MILVUS_OUTPUT_FIELDS,
  ATTR_DB_MILVUS_PARTITION_NAMES,
  ATTR_DB_MILVUS_RERANK_STRATEGY,
  ATTR_DB_MILVUS_ROW_COUNT,
  ATTR_DB_MILVUS_SEARCH_REQUESTS,
  ATTR_DB_MILVUS_UPSERT_COUNT,
  ATTR_DB_MILVUS_VECTOR_DIMENSION,
  ATTR_DB_RESPONSE_RETURNED_ROWS,
} from './semconv.ts';
import { enumText, isRecord, nonEmptyString, type Rec, stringList, toCount } from './utils.ts';

/* Vectors are counted and measured, never read. */

function isVector(value: unknown): boolean {
  return (
    (Array.isArray(value) && (value.length === 0 || typeof value[0] === 'number')) ||
    ArrayBuffer.isView(value)
  );
}

function lengthOf(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (ArrayBuffer.isView(value)) return (value as unknown as { length?: number }).length ?? value.byteLength;
  return undefined;
}

/** Number of query vectors (nq) and the first dense vector's element count, from the shapes the SDK accepts. */
export function queryVectors(data: unknown): { nq?: number; dimension?: number } {
  if (data === undefined || data === null) return {};
  if (isVector(data)) return { nq: 1, dimension: lengthOf(data) };
  if (Array.isArray(data)) {
    const first: unknown = data[0];
    return { nq: data.length, ...(isVector(first) ? { dimension: lengthOf(first) } : {}) };
  }
  // A sparse vector ({ index: value }) or a single text query.
  return { nq: 1 };
}

/* ---------- attributes ---------- */

function setIf(attributes: Attributes, key: string, value: string | number | string[] | undefined): void {
  if (value !== undefined) attributes[key] = value;
}

function filterOf(request: Rec): string | undefined {
  return nonEmptyString(request.filter) ?? nonEmptyString(request.expr);
}

function searchAttributes(operation: string, r: Rec, attributes: Attributes): void {
  const searchParams = isRecord(r.search_params) ? r.search_params : {};
  const params = isRecord(r.params) ? r.params : {};
  setIf(attributes, ATTR_DB_MILVUS_LIMIT, toCount(r.limit) ?? toCount(r.topk) ?? toCount(searchParams.topk));
  setIf(attributes, ATTR_DB_MILVUS_OFFSET, toCount(r.offset) ?? toCount(params.offset));
  setIf(attributes, ATTR_DB_MILVUS_GROUP_BY_FIELD, nonEmptyString(r.group_by_field));
  let vectors: { nq?: number; dimension?: number };
  let first: Rec = r;
  if (operation === 'hybridSearch' && Array.isArray(r.data)) {
    attributes[ATTR_DB_MILVUS_SEARCH_REQUESTS] = r.data.length;
    first = isRecord(r.data[0]) ? r.data[0] : {};
    vectors = queryVectors(first.data);
    const rerank = isRecord(r.rerank) ? r.rerank : undefined;
    setIf(
      attributes,
      ATTR_DB_MILVUS_RERANK_STRATEGY,
      nonEmptyString(rerank?.strategy) ?? nonEmptyString(rerank?.name),
    );
  } else {
    const ids = Array.isArray(r.ids) && r.ids.length > 0 ? r.ids : undefined;
    vectors = ids ? { nq: ids.length } : queryVectors(r.data ?? r.vectors ?? r.vector);
  }
  setIf(attributes, ATTR_DB_MILVUS_NQ, vectors.nq);
  setIf(attributes, ATTR_DB_MILVUS_VECTOR_DIMENSION, vectors.dimension);
  // Several query vectors in one call are a batch of searches.
  if (operation === 'search' && vectors.nq !== undefined && vectors.nq >= 2) {
    attributes[ATTR_DB_OPERATION_BATCH_SIZE] = vectors.nq;
  }
  const firstParams = isRecord(first.params) ? first.params : {};
  setIf(
    attributes,
    ATTR_DB_MILVUS_ANNS_FIELD,
    nonEmptyString(first.anns_field) ?? nonEmptyString(searchParams.anns_field),
  );
  setIf(
    attributes,
    ATTR_DB_MILVUS_METRIC_TYPE,
    nonEmptyString(first.metric_type) ??
      nonEmptyString(firstParams.metric_type) ??
      nonEmptyString(searchParams.metric_type),
  );
}

function indexAttributes(r: Rec, attributes: Attributes): void {
  const extra = isRecord(r.extra_params) ? r.extra_params : {};
  setIf(attributes, ATTR_DB_MILVUS_FIELD_NAME, nonEmptyString(r.field_name));
  setIf(attributes, ATTR_DB_MILVUS_INDEX_NAME, nonEmptyString(r.index_name));
  setIf(attributes, ATTR_DB_MILVUS_INDEX_TYPE, enumText(r.index_type) ?? enumText(extra.index_type));
  setIf(attributes, ATTR_DB_MILVUS_METRIC_TYPE, enumText(r.metric_type) ?? enumText(extra.metric_type));
}

function collectionDimension(r: Rec): number | undefined {
  const direct = toCount(r.dimension);
  if (direct !== undefined) return direct;
  const schema = isRecord(r.schema) ? r.schema : undefined;
  const fields = Array.isArray(r.fields) ? r.fields : Array.isArray(schema?.fields) ? schema.fields : [];
  for (const field of fields) {
    if (!isRecord(field)) continue;
    const typeParams = isRecord(field.type_params) ? field.type_params : {};
    const dim = toCount(field.dim) ?? toCount(typeParams.dim);
    if (dim !== undefined) return dim;
  }
  return undefined;
}

export interface RequestAttributeOptions {
  captureFilter?: boolean;
}

/**
 * Milvus attributes of a request, by operation. Reads names, sizes and settings only: never vector values,
 * filter literals, ids or credentials.
 */
export function requestAttributes(
  operation: string,
  request: unknown,
  options: RequestAttributeOptions = {},
): Attributes {
  const attributes: Attributes = {};
  const r = Array.isArray(request) ? request[0] : request;
  if (!isRecord(r)) return attributes;

  setIf(
    attributes,
    ATTR_DB_MILVUS_PARTITION_NAMES,
    stringList(r.partition_names) ?? stringList(r.partition_name),
  );
  setIf(attributes, ATTR_DB_MILVUS_CONSISTENCY_LEVEL, enumText(r.consistency_level));
  setIf(attributes, ATTR_DB_MILVUS_OUTPUT_FIELDS, stringList(r.output_fields));

  if (SEARCH_OPERATIONS.has(operation)) searchAttributes(operation, r, attributes);
  if (operation === 'query') {
    setIf(attributes, ATTR_DB_MILVUS_LIMIT, toCount(r.limit));
    setIf(attributes, ATTR_DB_MILVUS_OFFSET, toCount(r.offset));
  }
  if (operation === 'insert' || operation === 'upsert') {
    const rows = r.data ?? r.fields_data;
    if (Array.isArray(rows)) attributes[ATTR_DB_MILVUS_ROW_COUNT] = rows.length;
  }
  if (INDEX_OPERATIONS.has(operation)) indexAttributes(r, attributes);
  if (operation === 'createCollection')
    setIf(attributes, ATTR_DB_MILVUS_VECTOR_DIMENSION, collectionDimension(r));

  if (options.captureFilter && FILTER_OPERATIONS.has(operation)) {
    const filter = filterOf(r);
    if (filter) attributes[ATTR_DB_QUERY_TEXT] = maskFilter(filter);
  }
  return attributes;
}

/** Result sizes of a successful response: hits, rows, and the server's mutation counts. */
export function responseAttributes(operation: string, response: unknown): Attributes {
  const attributes: Attributes = {};
  if (!isRecord(response)) return attributes;
  if (SEARCH_OPERATIONS.has(operation) && Array.isArray(response.results)) {
    const results: unknown[] = response.results;
    const nested = results.length > 0 && results.every(Array.isArray);
    attributes[ATTR_DB_RESPONSE_RETURNED_ROWS] = nested
      ? results.reduce<number>((sum, hits) => sum + (hits as unknown[]).length, 0)
      : results.length;
  }
  if ((operation === 'query' || operation === 'get') && Array.isArray(response.data)) {
    attributes[ATTR_DB_RESPONSE_RETURNED_ROWS] = response.data.length;
  }
  if (operation === 'insert') setIf(attributes, ATTR_DB_MILVUS_INSERT_COUNT, toCount(response.insert_cnt));
  if (operation === 'upsert') setIf(attributes, ATTR_DB_MILVUS_UPSERT_COUNT, toCount(response.upsert_cnt));
  if (operation === 'delete' || operation === 'deleteEntities') {
    setIf(attributes, ATTR_DB_MILVUS_DELETE_COUNT, toCount(response.delete_cnt));
  }
  return attributes;
}
