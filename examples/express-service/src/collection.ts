/**
 * `node src/collection.ts [--index HNSW|IVF_FLAT|FLAT] [--load <count>]`: prepares the service's collection (the
 * service's MILVUS_* and DOCS_COLLECTION settings) — replaces its vector index, and/or writes <count> generated
 * documents and flushes them so that searches run against indexed segments. Used to compare search traces before
 * and after an index change.
 */
import { parseArgs } from 'node:util';
import { exitOnConfigError } from '@milvus-otel/config';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { ensureCollection, INDEX_TYPES, type IndexType } from './documents.ts';
import { loadGeneratedDocuments } from './generated.ts';
import { loadSettings } from './settings.ts';

function fail(problem: string, fix: string): never {
  console.error(`collection: ${problem}\n  fix: ${fix}`);
  process.exit(1);
}

let options: { index?: string; load?: string };
try {
  ({ values: options } = parseArgs({
    options: { index: { type: 'string' }, load: { type: 'string' } },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message, 'use --index HNSW|IVF_FLAT|FLAT and/or --load <count>');
}
const index = options.index?.toUpperCase();
if (index !== undefined && !(index in INDEX_TYPES)) {
  fail(`--index ${options.index} is not an index this example builds`, 'use --index HNSW, IVF_FLAT or FLAT');
}
const count = options.load === undefined ? 0 : Number(options.load);
if (!Number.isInteger(count) || count < 0 || count > 10_000_000) {
  fail(
    `--load ${options.load} is not a count of documents`,
    'pass a whole number up to 10000000, e.g. --load 50000',
  );
}

const settings = loadSettings(process.env, exitOnConfigError);
const wanted = (index as IndexType | undefined) ?? settings.index;
const client = new MilvusClient({ ...settings.milvus });
try {
  await ensureCollection(client, settings.collection, wanted ? { index: wanted } : {});
  if (count > 0) {
    const started = Date.now();
    const written = await loadGeneratedDocuments(client, settings.collection, count, {
      // A progress line on a terminal only: redirected output gets the summary alone.
      onProgress: (done) => {
        if (process.stdout.isTTY) process.stdout.write(`\rwriting documents: ${done}/${count}`);
      },
    });
    process.stdout.write(
      `\n${written} documents written and flushed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  }
  // Searches use the new index once it is built on every sealed segment.
  for (;;) {
    const { index_descriptions: [described] = [] } = await client.describeIndex({
      collection_name: settings.collection,
      field_name: 'embedding',
    });
    const type = described?.params.find((p) => p.key === 'index_type')?.value;
    const built =
      !described ||
      String(described.state) === 'Finished' ||
      Number(described.indexed_rows) >= Number(described.total_rows);
    if (built) {
      // count(*) skips rows an upsert replaced (the collection statistics count them until compaction).
      const counted = await client.query({
        collection_name: settings.collection,
        output_fields: ['count(*)'],
        filter: '',
      });
      const rows = counted.data[0]?.['count(*)'] ?? '?';
      console.log(`${settings.collection}: ${rows} documents, index ${type ?? 'none'} built`);
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
} finally {
  await client.closeConnection();
}
