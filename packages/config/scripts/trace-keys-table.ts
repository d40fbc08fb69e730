// The README's table of the Milvus trace: keys (first release, default), from the data the schema uses.
// `node scripts/trace-keys-table.ts` prints it, `--write` puts it into README.md (after `pnpm build`).
import { readFileSync, writeFileSync } from 'node:fs';
import type { MilvusTraceKey } from '../src/server/trace-schema.js';

export const START = '<!-- trace-keys:start (scripts/trace-keys-table.ts) -->';
export const END = '<!-- trace-keys:end -->';

function defaults(key: MilvusTraceKey): string {
  return key.defaults
    .map((d, i) => {
      const value = d.value === undefined ? 'unset' : `\`${d.value}\``;
      return i === 0 ? value : `${value} from ${d.since}`;
    })
    .join('; ');
}

/** The Markdown table: key, the first Milvus release that reads it, Milvus's default, the values. */
export function traceKeysTable(keys: readonly MilvusTraceKey[]): string {
  const rows = [
    ['key', 'since Milvus', 'Milvus default', 'values', 'upstream'],
    ...keys.map((k) => [`\`${k.key}\``, k.since, defaults(k), k.values, k.source]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0))) ?? [];
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head = [], ...body] = rows;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** `readme` with the text between the markers replaced by `table`. */
export function withTraceKeysTable(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

if (import.meta.main) {
  const { MILVUS_TRACE_KEYS } = (await import(new URL('../dist/server.js', import.meta.url).href)) as {
    MILVUS_TRACE_KEYS: readonly MilvusTraceKey[];
  };
  const table = traceKeysTable(MILVUS_TRACE_KEYS);
  if (process.argv.includes('--write')) {
    const readme = new URL('../README.md', import.meta.url);
    writeFileSync(readme, withTraceKeysTable(readFileSync(readme, 'utf8'), table));
  } else {
    process.stdout.write(`${table}\n`);
  }
}
