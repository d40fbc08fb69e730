/** The collection the search benchmarks (search.ts, peers.ts) query: 2 000 8-dimensional vectors, IVF_FLAT, loaded. */
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';

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
