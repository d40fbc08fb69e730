/** The collection the search benchmarks (search.ts, peers.ts) query: 2 000 8-dimensional vectors, IVF_FLAT, loaded. */
import { clientEnv, isUp, loadSettings } from '@milvus-otel/stack';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';

/** search-worker.ts's modes and the SDK lines it loads (package aliases). */
export type WorkerMode =
  | 'untraced'
  | 'preset'
  | 'preset-client-span'
  | 'noop-export'
  | 'preset-metrics'
  | 'paired'
  | 'paired-app'
  | 'sdk-trace'
  | 'openlit'
  | 'grpc-instrumentation';
export type SdkLine = 'milvus-sdk-2.3' | 'milvus-sdk-2.5';

/**
 * The local stack's settings and client environment, and a new search collection `<prefix>_<now>` on its Milvus;
 * exits with the command to run when the stack is not up.
 */
export async function openSearchCollection(prefix: string) {
  const settings = loadSettings();
  if (!(await isUp(settings))) {
    console.error('the local stack is not running: start it with ./pnpm stack start');
    process.exit(1);
  }
  const env = clientEnv(settings);
  const collection = `${prefix}_${Date.now()}`;
  const client = new MilvusClient({ address: env.MILVUS_ADDRESS as string });
  await createSearchCollection(client, collection);
  return { settings, env, client, collection };
}

export async function createSearchCollection(client: MilvusClient, collection: string): Promise<void> {
  await client.createCollection({
    collection_name: collection,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
    ],
  });
  await client.insert({
    collection_name: collection,
    data: Array.from({ length: 2000 }, (_, i) => ({
      id: i,
      vector: Array.from({ length: 8 }, (_, d) => Math.sin(i + d)),
    })),
  });
  await client.createIndex({
    collection_name: collection,
    field_name: 'vector',
    index_type: 'IVF_FLAT',
    metric_type: 'L2',
    params: { nlist: 32 },
  });
  await client.loadCollectionSync({ collection_name: collection });
}
