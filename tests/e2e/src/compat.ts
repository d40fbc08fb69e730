import { OPERATIONS, type Operation } from './operations.ts';

/** The Milvus server of the native stack (the `milvus` PyPI wheel). */
export const SERVER_VERSION = '2.3.5';

/** The server span Milvus's proxy opens for each operation (service `standalone`). */
export const PROXY_SPAN: Record<Operation, string> = {
  createCollection: 'Proxy-CreateCollection',
  insert: 'Proxy-Insert',
  flush: 'Proxy-Flush',
  createIndex: 'Proxy-CreateIndex',
  loadCollection: 'Proxy-LoadCollection',
  search: 'Proxy-Search',
  query: 'Proxy-Query',
  upsert: 'Proxy-Upsert',
  delete: 'Proxy-Delete',
  hybridSearch: 'Proxy-HybridSearch',
  dropCollection: 'Proxy-DropCollection',
};

export interface SdkLine {
  /** Workspace alias of the installed version (see package.json). */
  readonly alias: string;
  readonly version: string;
  /** Operations that work against SERVER_VERSION; the end-to-end suite checks this table and fails on drift. */
  readonly works: readonly Operation[];
}

/** Milvus 2.3 has no HybridSearch RPC (it came with multi-vector collections in 2.4). */
const ALL_BUT_HYBRID = OPERATIONS.filter((op) => op !== 'hybridSearch');

/** `@zilliz/milvus2-sdk-node` lines tested against the server, and what works on each. */
export const SDK_LINES: readonly SdkLine[] = [
  { alias: 'milvus-sdk-2.3', version: '2.3.5', works: ALL_BUT_HYBRID },
  { alias: 'milvus-sdk-2.4', version: '2.4.9', works: ALL_BUT_HYBRID },
  { alias: 'milvus-sdk-2.5', version: '2.5.12', works: ALL_BUT_HYBRID },
  { alias: 'milvus-sdk-2.6', version: '2.6.17', works: ALL_BUT_HYBRID },
  { alias: 'milvus-sdk-3.0', version: '3.0.6', works: ALL_BUT_HYBRID },
];

/** The compatibility table's cells: a header row, then one row per SDK line. */
export function compatRows(): string[][] {
  return [
    ['SDK version', ...OPERATIONS],
    ...SDK_LINES.map((line) => [
      line.version,
      ...OPERATIONS.map((op) => (line.works.includes(op) ? '✅' : '❌')),
    ]),
  ];
}

/** The cells of the Markdown table whose first header cell is `firstHeader` (alignment row left out). */
export function markdownTableRows(markdown: string, firstHeader: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim().startsWith(`| ${firstHeader} |`));
  if (start < 0) return [];
  const table: string[][] = [];
  for (const line of lines.slice(start)) {
    if (!line.trim().startsWith('|')) break;
    const cells = line
      .trim()
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
    table.push(cells);
  }
  return table;
}
