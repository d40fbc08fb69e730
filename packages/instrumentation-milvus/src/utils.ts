/* Pure helpers: no OpenTelemetry state, no SDK imports. Every function tolerates any input shape. */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_DB_OPERATION_BATCH_SIZE, ATTR_DB_QUERY_TEXT } from '@opentelemetry/semantic-conventions';
import { maskFilter } from './filter-mask.ts';
import type { MilvusFailure, MilvusStatusLike } from './internal-types.ts';
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

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A finite non-negative integer from a number or a numeric string (the SDK returns int64 as strings). */
export function toCount(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string' && value.length > 0) return [value];
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((v): v is string => typeof v === 'string' && v.length > 0);
  return list.length > 0 ? list : undefined;
}

/** Span name per the database conventions: `{operation} {collection}`, or the operation alone. */
export function spanName(operation: string, collection: string | undefined): string {
  return collection ? `${operation} ${collection}` : operation;
}

/** True for a hybrid search request: `data` is a list of sub-requests, each naming its vector field. */
export function isHybridSearchRequest(request: unknown): boolean {
  if (!isRecord(request) || !Array.isArray(request.data)) return false;
  const first: unknown = request.data[0];
  return isRecord(first) && !Array.isArray(first) && !ArrayBuffer.isView(first) && 'anns_field' in first;
}

/**
 * `db.operation.name`: the SDK method's name. `hybridSearch` is an alias of `search` in the SDK (the same function),
 * so the request shape tells which one the application meant.
 */
export function operationName(method: string, request: unknown): string {
  if (method === 'search' && isHybridSearchRequest(request)) return 'hybridSearch';
  return method;
}

/** `db.collection.name`: `collection_name`, or the single entry of `collection_names` (flush). */
export function collectionName(request: unknown): string | undefined {
  const r = Array.isArray(request) ? request[0] : request;
  if (!isRecord(r)) return undefined;
  const name = nonEmptyString(r.collection_name) ?? nonEmptyString(r.collectionName);
  if (name) return name;
  const names = stringList(r.collection_names);
  return names && names.length === 1 ? names[0] : undefined;
}

/** `db.namespace`: the request's `db_name`, else the client's current database (`use()`/config), else `default`. */
export function databaseName(request: unknown, clientDatabase: unknown): string {
  const r = Array.isArray(request) ? request[0] : request;
  return (isRecord(r) ? nonEmptyString(r.db_name) : undefined) ?? nonEmptyString(clientDatabase) ?? 'default';
}

/** grpc-js connects to port 443 when the address has none. */
const GRPC_DEFAULT_PORT = 443;

/**
 * `server.address`/`server.port` from the SDK's `address` setting (`host:port`, `http(s)://host:port/path`,
 * `[::1]:19530`). Credentials in the address (`user:pass@host`) are dropped.
 */
export function parseServerAddress(address: unknown): { address?: string; port?: number } {
  if (typeof address !== 'string') return {};
  let rest = address.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  rest = rest.split(/[/?#]/, 1)[0] ?? '';
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  if (!rest) return {};
  let host = rest;
  let portText: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { address: rest };
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
  } else {
    const colons = rest.split(':').length - 1;
    if (colons === 1) {
      const i = rest.indexOf(':');
      host = rest.slice(0, i);
      portText = rest.slice(i + 1);
    }
  }
  if (!host) return {};
  const port = portText !== undefined && /^\d{1,5}$/.test(portText) ? Number(portText) : undefined;
  if (port !== undefined && port > 0 && port < 65536) return { address: host, port };
  return { address: host, port: portText === undefined ? GRPC_DEFAULT_PORT : undefined };
}

function statusOf(value: unknown): MilvusStatusLike | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.status) && ('error_code' in value.status || 'code' in value.status)) {
    return value.status as MilvusStatusLike;
  }
  if ('error_code' in value || ('code' in value && 'reason' in value)) return value as MilvusStatusLike;
  return undefined;
}

function codeText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

/**
 * The failure a Milvus response reports in its status (`{ status: { error_code, code, reason } }` or a top-level
 * `ResStatus`), or undefined when it succeeded or carries no status. Milvus resolves most failed calls this way.
 */
export function responseFailure(response: unknown): MilvusFailure | undefined {
  const status = statusOf(response);
  if (!status) return undefined;
  const errorCode = codeText(status.error_code);
  const code = codeText(status.code);
  const legacyFailed = errorCode !== undefined && errorCode !== 'Success' && errorCode !== '0';
  const codeFailed = code !== undefined && code !== '0';
  if (!legacyFailed && !codeFailed) return undefined;
  const message =
    nonEmptyString(status.reason) ?? nonEmptyString(status.detail) ?? `Milvus error ${code ?? errorCode}`;
  return {
    statusCode: codeFailed ? (code as string) : (errorCode as string),
    ...(legacyFailed ? { errorCode } : {}),
    message,
  };
}

/* ---------- vectors: counted and measured, never read ---------- */

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

function enumText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
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

/** gRPC status codes by number (grpc-js `Status`), for errors of the transport. */
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/**
 * The gRPC status of a transport error (grpc-js ServiceError: numeric `code`, string `details`), e.g. `UNAVAILABLE`
 * for an unreachable server or `DEADLINE_EXCEEDED` for a call that timed out.
 */
function grpcStatusName(error: Error): string | undefined {
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? GRPC_STATUS_NAMES[code] : undefined;
}

/**
 * `error.type` and message of a thrown value: an Error (a gRPC transport error typed by its status name), or a Milvus
 * status object.
 */
export function thrownFailure(error: unknown): { type: string; message: string; status?: MilvusFailure } {
  const status = responseFailure(error);
  if (status && !(error instanceof Error))
    return { type: status.statusCode, message: status.message, status };
  if (error instanceof Error) {
    const type = grpcStatusName(error) ?? (error.name || error.constructor?.name || 'Error');
    return { type, message: error.message };
  }
  return { type: '_OTHER', message: typeof error === 'string' ? error : 'unknown error' };
}
