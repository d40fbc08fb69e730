/**
 * Generated documents in bulk: enough vectors for the collection's index to matter (Milvus indexes sealed segments
 * of 1024 rows and more; smaller ones are searched by brute force whatever the index).
 */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { checkStatus, type Document, LIMITS, upsertDocuments } from './documents.ts';

const WORDS = (
  'vector database index search segment query node proxy trace span latency cache memory disk graph cluster ' +
  'shard replica embedding model cosine distance recall filter batch stream queue worker lambda region tenant ' +
  'schema field partition compaction flush load release collection metric histogram bucket sampler exporter ' +
  'collector context header parent child service request response error retry timeout budget alert dashboard'
).split(' ');
const CATEGORIES = ['databases', 'observability', 'infrastructure', 'search', 'operations'];

/** A small deterministic generator (mulberry32): the same documents for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` documents with ids `gen-<seed>-<n>`, titles and bodies of random words. */
export function* generatedDocuments(count: number, seed = 1): Generator<Document> {
  const next = random(seed);
  const word = () => WORDS[Math.floor(next() * WORDS.length)] ?? 'vector';
  for (let n = 0; n < count; n++) {
    yield {
      id: `gen-${seed}-${n}`,
      title: `${word()} ${word()} ${word()}`,
      body: Array.from({ length: 12 }, word).join(' '),
      category: CATEGORIES[Math.floor(next() * CATEGORIES.length)] ?? 'search',
    };
  }
}

/** Upserts `count` generated documents in batches, then flushes them into sealed (indexed) segments. */
export async function loadGeneratedDocuments(
  client: MilvusClient,
  collection: string,
  count: number,
  {
    seed = 1,
    onProgress = (_done: number) => {},
  }: { seed?: number; onProgress?: (done: number) => void } = {},
): Promise<number> {
  let batch: Document[] = [];
  let done = 0;
  for (const document of generatedDocuments(count, seed)) {
    batch.push(document);
    if (batch.length === LIMITS.batch) {
      done += await upsertDocuments(client, collection, batch);
      onProgress(done);
      batch = [];
    }
  }
  if (batch.length) done += await upsertDocuments(client, collection, batch);
  checkStatus('flush', await client.flushSync({ collection_names: [collection] }));
  onProgress(done);
  return done;
}
