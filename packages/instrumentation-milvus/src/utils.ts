/*
 * Pure helpers, tolerant of any input shape: coercion of request and response fields, and what names a span
 * (operation, collection, database, server). No OpenTelemetry state, no SDK imports.
 */
import { parseHostPort } from '@milvus-otel/config/address';

export type Rec = Record<string, unknown>;

export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null;
}

export function nonEmptyString(value: unknown): string | undefined {
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

export function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string' && value.length > 0) return [value];
  if (!Array.isArray(value)) return undefined;
  const list = value.filter((v): v is string => typeof v === 'string' && v.length > 0);
  return list.length > 0 ? list : undefined;
}

/** An enum setting as the SDK takes it: its name, or its number. */
export function enumText(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
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

/** grpc-js connects to port 443 when the address names none. */
const GRPC_DEFAULT_PORT = 443;

/**
 * `server.address`/`server.port` of the SDK's `address` setting (`host:port`, `http(s)://host:port/path`,
 * `[::1]:19530`). Credentials in the address (`user:pass@host`) are dropped.
 */
export function serverAddress(address: unknown): { address?: string; port?: number } {
  if (typeof address !== 'string') return {};
  const parsed = parseHostPort(address, GRPC_DEFAULT_PORT);
  return parsed ? { address: parsed.host, port: parsed.port } : {};
}
