/**
 * The examples' shared domain: a small document store with semantic search, on Milvus.
 *
 * Embeddings are computed locally and deterministically (feature hashing of words and character trigrams), so no
 * model has to be downloaded; swap `embed()` for a real model in your app. This file is the same in every example
 * (each example stays copyable on its own); a test keeps the copies identical.
 */
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';

export const DIMENSION = 64;

export interface Document {
  id: string;
  title: string;
  body: string;
  category: string;
}

export interface Hit {
  id: string;
  title: string;
  category: string;
  score: number;
}

/** Limits shared by validation and the collection schema. */
export const LIMITS = { id: 64, title: 512, body: 4096, category: 64, batch: 500 } as const;

/** The longest search query `q`, in Unicode code points (what a user counts as characters, unlike UTF-16 units). */
export const QUERY_MAX = 1000;

/** The number of Unicode code points in `text` (a lone surrogate counts as one). */
export function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * False when `text` has a lone surrogate: it has no UTF-8 form, so Milvus rejects it (and JSON escapes let any
 * client send one). Uses String.prototype.isWellFormed (Node 20+) when there is one.
 */
export function wellFormed(text: string): boolean {
  const native = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
  if (native) return native.call(text);
  return !/\p{Surrogate}/u.test(text);
}

/** FNV-1a, 32 bit: a stable hash for feature hashing. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A unit vector of DIMENSION floats for `text`: similar wording gives nearby vectors. */
export function embed(text: string): number[] {
  const vector = new Array<number>(DIMENSION).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    vector[h % DIMENSION] = (vector[h % DIMENSION] ?? 0) + (h & 0x80000000 ? -weight : weight);
  };
  for (const word of words) {
    add(`w:${word}`, 1);
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.5);
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map((_, i) => (i === 0 ? 1 : 0)) : vector.map((x) => x / norm);
}

/** What Milvus reports in a response's `status` (the SDK also throws some of these objects as they are). */
export interface MilvusStatus {
  /** The legacy code name ("Success", "NotReadyServe", …). */
  error_code?: string | number;
  /** Milvus 2.3+'s numeric code (0: success, 1: service not ready, …). */
  code?: number;
  reason?: string;
  detail?: string;
  retriable?: boolean;
}

/** True when a status reports a failure: Milvus sets the legacy name, the numeric code, or both. */
export function statusFailed(status: MilvusStatus): boolean {
  return (
    (status.error_code !== undefined && status.error_code !== 'Success' && status.error_code !== 0) ||
    (status.code !== undefined && status.code !== 0)
  );
}

/** Milvus reports many failures in a status field of a resolved response rather than by throwing. */
export class MilvusError extends Error {
  override name = 'MilvusError';
  readonly operation: string;
  /** The legacy code name when there is one, else the numeric code. */
  readonly code: string;
  readonly status: MilvusStatus;
  constructor(operation: string, status: MilvusStatus) {
    const name = status.error_code === 'Success' ? undefined : status.error_code;
    const codes = [name, status.code ? `code ${status.code}` : undefined].filter(Boolean).join(', ');
    const reason = status.reason || status.detail || 'Milvus gave no reason';
    super(`Milvus ${operation} failed (${codes || 'no error code'}): ${reason}`);
    this.operation = operation;
    this.code = String(status.error_code ?? status.code ?? 'unknown');
    this.status = status;
  }
}

/** Returns `response` when its status (or the response itself, for bare statuses) is a success; throws otherwise. */
export function checkStatus<T extends { status?: MilvusStatus } | MilvusStatus>(
  operation: string,
  response: T,
): T {
  const status = ('status' in response && response.status ? response.status : response) as MilvusStatus;
  if (statusFailed(status)) throw new MilvusError(operation, status);
  return response;
}

/** A status object the SDK threw instead of returning it (createCollection does, since SDK 3). */
function thrownStatus(error: unknown): MilvusStatus | undefined {
  if (error instanceof Error || typeof error !== 'object' || error === null) return undefined;
  return 'error_code' in error || 'reason' in error ? (error as MilvusStatus) : undefined;
}

/** The vector indexes the examples can keep on `embedding`, each with its build and search parameters. */
export const INDEX_TYPES = {
  HNSW: { build: { M: 16, efConstruction: 64 }, search: { ef: 64 } },
  IVF_FLAT: { build: { nlist: 128 }, search: { nprobe: 16 } },
  FLAT: { build: {}, search: {} },
} as const;
export type IndexType = keyof typeof INDEX_TYPES;

/** The index type on the collection's `embedding` field, or undefined when it has none. */
async function currentIndex(client: MilvusClient, collection: string): Promise<string | undefined> {
  const index = await client.describeIndex({ collection_name: collection, field_name: 'embedding' });
  const params = index.index_descriptions?.[0]?.params ?? [];
  const type = params.find((p) => p.key === 'index_type')?.value;
  return type !== undefined ? String(type) : params.length ? 'unknown' : undefined;
}

/**
 * Creates the collection (id, title, body, category, embedding + a COSINE index) when it does not exist, and loads
 * it. Safe to call from several processes at once. With `index`, an existing index of another type is replaced
 * (release, drop, build, load): the way to compare search traces before and after an index change.
 */
export async function ensureCollection(
  client: MilvusClient,
  collection: string,
  { index }: { index?: IndexType } = {},
): Promise<void> {
  const exists = await client.hasCollection({ collection_name: collection });
  if (!checkStatus('hasCollection', exists).value) {
    const created = await client
      .createCollection({
        collection_name: collection,
        description: 'milvus-otel example documents',
        fields: [
          { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: LIMITS.id },
          { name: 'title', data_type: DataType.VarChar, max_length: LIMITS.title },
          { name: 'body', data_type: DataType.VarChar, max_length: LIMITS.body },
          { name: 'category', data_type: DataType.VarChar, max_length: LIMITS.category },
          { name: 'embedding', data_type: DataType.FloatVector, dim: DIMENSION },
        ],
      })
      .catch((error: unknown) => {
        // The SDK throws a failed status as a plain object: handle it like a returned one.
        const status = thrownStatus(error);
        if (!status) throw error;
        return status;
      });
    // Another process may have created it first: that is fine.
    if (!/already exist/i.test(created.reason ?? '')) checkStatus('createCollection', created);
  }
  // Also when the collection existed: a process stopped between creating it and its index left it without one.
  const existing = await currentIndex(client, collection);
  if (existing && index && existing !== index) {
    // Milvus keeps one index per field and drops it only from a released collection.
    checkStatus('releaseCollection', await client.releaseCollection({ collection_name: collection }));
    checkStatus(
      'dropIndex',
      await client.dropIndex({ collection_name: collection, field_name: 'embedding' }),
    );
  }
  if (!existing || (index && existing !== index)) {
    const type = index ?? 'HNSW';
    const indexed = await client.createIndex({
      collection_name: collection,
      field_name: 'embedding',
      index_type: type,
      metric_type: 'COSINE',
      params: { ...INDEX_TYPES[type].build },
    });
    if (!/already|exist/i.test(indexed.reason ?? '')) checkStatus('createIndex', indexed);
  }
  checkStatus('loadCollection', await client.loadCollectionSync({ collection_name: collection }));
}

/** Embeds and upserts documents (by id, so re-sending a document replaces it). Returns how many were written. */
export async function upsertDocuments(
  client: MilvusClient,
  collection: string,
  documents: readonly Document[],
): Promise<number> {
  const data = documents.map((d) => ({ ...d, embedding: embed(`${d.title} ${d.body}`) }));
  const res = checkStatus('upsert', await client.upsert({ collection_name: collection, data }));
  return Number(res.upsert_cnt);
}

/** Nearest documents to `query`, optionally within one category. */
export async function searchDocuments(
  client: MilvusClient,
  collection: string,
  query: string,
  options: { category?: string | undefined; limit?: number | undefined } = {},
): Promise<Hit[]> {
  const res = checkStatus(
    'search',
    await client.search({
      collection_name: collection,
      data: [embed(query)],
      anns_field: 'embedding',
      limit: options.limit ?? 5,
      // The category is validated by the caller; JSON.stringify quotes and escapes it for the filter language.
      ...(options.category ? { filter: `category == ${JSON.stringify(options.category)}` } : {}),
      output_fields: ['id', 'title', 'category'],
      // Each index reads its own search parameter (ef for HNSW, nprobe for IVF_FLAT) and ignores the other's.
      params: { ...INDEX_TYPES.HNSW.search, ...INDEX_TYPES.IVF_FLAT.search },
    }),
  );
  return (res.results as { id: string; title: string; category: string; score: number }[]).map((r) => ({
    id: String(r.id),
    title: r.title,
    category: r.category,
    score: r.score,
  }));
}

/** One document by id, or undefined. */
export async function getDocument(
  client: MilvusClient,
  collection: string,
  id: string,
): Promise<Document | undefined> {
  const res = checkStatus(
    'get',
    await client.get({
      collection_name: collection,
      ids: [id],
      output_fields: ['id', 'title', 'body', 'category'],
    }),
  );
  const row = res.data[0] as Document | undefined;
  return row && { id: String(row.id), title: row.title, body: row.body, category: row.category };
}
