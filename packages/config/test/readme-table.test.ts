import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { END, START, traceKeysTable, withTraceKeysTable } from '../scripts/trace-keys-table.js';
import { MILVUS_TRACE_KEYS } from '../src/server/index.js';

describe("README's table of trace: keys", () => {
  it('is the one the schema data gives (run node scripts/trace-keys-table.ts --write after a build)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(START);
    expect(readme).toContain(END);
    expect(readme).toBe(withTraceKeysTable(readme, traceKeysTable(MILVUS_TRACE_KEYS)));
  });

  it('lists each key with its first release and default', () => {
    const table = traceKeysTable(MILVUS_TRACE_KEYS);
    expect(table).toMatch(/\| `trace\.otlp\.headers` +\| 2\.6\.0 +\| unset +\|/);
    expect(table).toMatch(/\| `trace\.exporter` +\| 2\.3\.0 +\| `stdout`; `noop` from 2\.4\.3 +\|/);
    expect(table).toMatch(/\| `trace\.initTimeoutSeconds` +\| 2\.4\.6 +\| `10` +\|/);
  });
});
