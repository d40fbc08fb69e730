/** A few sample documents, written once into an empty collection so /search has something to find on first run. */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { checkStatus, type Document, upsertDocuments } from './documents.ts';

export const SAMPLE_DOCUMENTS: readonly Document[] = [
  {
    id: 'sample-milvus',
    title: 'What is Milvus',
    body: 'Milvus is an open-source vector database built for similarity search over embeddings.',
    category: 'databases',
  },
  {
    id: 'sample-otel',
    title: 'OpenTelemetry tracing',
    body: 'A trace follows one request through every service it touches, as a tree of spans.',
    category: 'observability',
  },
  {
    id: 'sample-jaeger',
    title: 'Finding a trace in Jaeger',
    body: 'Search Jaeger by service and operation, or paste a trace id to open one request end to end.',
    category: 'observability',
  },
  {
    id: 'sample-hnsw',
    title: 'HNSW indexes',
    body: 'Hierarchical navigable small world graphs give fast approximate nearest neighbour search.',
    category: 'databases',
  },
];

/** Seeds the samples when the collection holds no document at all; returns how many were written. */
export async function seedIfEmpty(client: MilvusClient, collection: string): Promise<number> {
  const res = checkStatus(
    'query',
    await client.query({
      collection_name: collection,
      filter: 'id != ""',
      output_fields: ['id'],
      limit: 1,
    }),
  );
  if (res.data.length > 0) return 0;
  return upsertDocuments(client, collection, SAMPLE_DOCUMENTS);
}
