import { ConsistencyLevelEnum, type MilvusClient } from '@zilliz/milvus2-sdk-node';

/**
 * Which of `ids` (letters, digits, `_ . : -` only) the collection holds, read with Strong consistency: every write
 * Milvus acknowledged is visible. In natural order (`doc-2` before `doc-10`). A subpath of its own: it loads the Milvus
 * SDK, which the instrumentation tests must patch before anything loads it.
 */
export async function storedIds(
  milvus: MilvusClient,
  collection: string,
  ids: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const res = await milvus.query({
      collection_name: collection,
      filter: `id in ${JSON.stringify(ids.slice(i, i + 500))}`,
      output_fields: ['id'],
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    if (res.status.error_code !== 'Success') throw new Error(`query failed: ${res.status.reason}`);
    found.push(...res.data.map((row) => String(row.id)));
  }
  return found.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
