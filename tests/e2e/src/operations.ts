/** The Milvus operations the end-to-end scenario runs, in order. */
export const OPERATIONS = [
  'createCollection',
  'insert',
  'flush',
  'createIndex',
  'loadCollection',
  'search',
  'query',
  'upsert',
  'delete',
  'hybridSearch',
  'dropCollection',
] as const;

export type Operation = (typeof OPERATIONS)[number];
