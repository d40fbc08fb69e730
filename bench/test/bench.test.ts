/**
 * The benchmarks run and produce numbers: `all.ts --short` runs each one with short settings against the local stack.
 * Whether the targets are met is for the full runs (bench/README.md): timings taken during a test run on shared
 * cores say nothing reliable, so nothing here asserts on them.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('..', import.meta.url));

describe('benchmarks, short mode', () => {
  it('all.ts --short runs every benchmark and prints a number for every headline', () => {
    const r = spawnSync(process.execPath, ['src/all.ts', '--short'], {
      cwd: bench,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 580_000,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.status, output).toBe(0);

    const summary = r.stdout.slice(r.stdout.lastIndexOf('# Benchmarks'));
    const rows = summary
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| benchmark'))
      .map((l) => l.split('|').map((c) => c.trim()));
    const benchmarks = new Set(rows.map((c) => c[1]?.replace(/ \(.*\)$/, '')));
    expect([...benchmarks].sort(), summary).toEqual([
      'Express example',
      'Milvus search',
      'Peers',
      'Serverless cold start',
      'Start-up',
      'Sustained export',
    ]);
    for (const cells of rows) {
      const [, name, metric, value, , met] = cells;
      expect(Number.isFinite(Number(value)), `${name}: ${metric} = ${value}\n${summary}`).toBe(true);
      expect(met, `${name}: ${metric}\n${summary}`).not.toBe('FAILED');
    }
  });
});
