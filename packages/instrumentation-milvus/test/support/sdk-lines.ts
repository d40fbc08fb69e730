import { createRequire } from 'node:module';

export interface SdkLine {
  /** Workspace alias of the installed version (see package.json). */
  readonly alias: string;
  readonly version: string;
  /** The client has the `trace: true` option (an interceptor that opens a `grpc-intercept` span). */
  readonly traceOption: boolean;
  /** The client has `hybridSearch()` (an alias of `search`). */
  readonly hybridSearch: boolean;
  /**
   * What a search on a missing collection does after its schema look-up (DescribeCollection) failed: resolve with
   * Milvus's status, or throw an error of the SDK's own (a TypeError, or a check that finds no vector field).
   */
  readonly missingCollectionSearch: 'status' | 'throws';
}

/** `@zilliz/milvus2-sdk-node` lines tested, one per minor line of the supported range `>=2.3.5 <4`. */
export const SDK_LINES: readonly SdkLine[] = [
  {
    alias: 'milvus-sdk-2.3',
    version: '2.3.5',
    traceOption: false,
    hybridSearch: false,
    missingCollectionSearch: 'status',
  },
  {
    alias: 'milvus-sdk-2.4',
    version: '2.4.9',
    traceOption: false,
    hybridSearch: true,
    missingCollectionSearch: 'throws',
  },
  {
    alias: 'milvus-sdk-2.5',
    version: '2.5.12',
    traceOption: true,
    hybridSearch: true,
    missingCollectionSearch: 'throws',
  },
  {
    alias: 'milvus-sdk-2.6',
    version: '2.6.17',
    traceOption: true,
    hybridSearch: true,
    missingCollectionSearch: 'throws',
  },
  {
    alias: 'milvus-sdk-3.0',
    version: '3.0.6',
    traceOption: true,
    hybridSearch: true,
    missingCollectionSearch: 'throws',
  },
];

export type MilvusSdk = typeof import('milvus-sdk-3.0');
export type MilvusClient = InstanceType<MilvusSdk['MilvusClient']>;

const require = createRequire(import.meta.url);

/** Loads an SDK line with `require`, as a CommonJS app does (patched if an instrumentation is enabled). */
export function loadSdk(alias: string): MilvusSdk {
  return require(alias) as MilvusSdk;
}

export const DIM = 8;

/** A deterministic float vector of dimension DIM. */
export function vector(i: number): number[] {
  return Array.from({ length: DIM }, (_, d) => Math.sin(i * 7 + d));
}

/** A collection name no other test or run uses (letters, digits, underscores). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates, fills, indexes and loads a collection `id Int64, vector FloatVector(DIM)` with `rows` rows. */
export async function createLoadedCollection(
  sdk: MilvusSdk,
  client: MilvusClient,
  name: string,
  rows = 20,
): Promise<void> {
  const check = (what: string, res: unknown) => {
    const r = res as {
      error_code?: string;
      status?: { error_code?: string; reason?: string };
      reason?: string;
    };
    const code = r.status?.error_code ?? r.error_code;
    if (code !== undefined && code !== 'Success') {
      throw new Error(`${what} ${name}: ${code} ${r.status?.reason ?? r.reason ?? ''}`);
    }
  };
  check(
    'createCollection',
    await client.createCollection({
      collection_name: name,
      fields: [
        { name: 'id', data_type: sdk.DataType.Int64, is_primary_key: true, autoID: false },
        { name: 'vector', data_type: sdk.DataType.FloatVector, dim: DIM },
      ],
    } as never),
  );
  const data = Array.from({ length: rows }, (_, i) => ({ id: i + 1, vector: vector(i + 1) }));
  check('insert', await client.insert({ collection_name: name, data, fields_data: data } as never));
  check(
    'createIndex',
    await client.createIndex({
      collection_name: name,
      field_name: 'vector',
      index_type: 'IVF_FLAT',
      metric_type: 'L2',
      params: { nlist: 4 },
    } as never),
  );
  check('loadCollection', await client.loadCollectionSync({ collection_name: name }));
}
