import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { render, resolveDeployConfig, TARGET_NAMES } from '../src/index.js';
import { CASES } from './cases.js';

const golden = fileURLToPath(new URL('./golden/', import.meta.url));
const repoDocker = fileURLToPath(new URL('../../../docker/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

describe.each(Object.entries(CASES))('golden files: %s', (caseName, input) => {
  const files = render('all', resolveDeployConfig(input));

  it('renders every target', () => {
    const targets = new Set(files.map((f) => f.path.split('/')[0]));
    for (const target of TARGET_NAMES.filter((t) => t !== 'k8s-apps' || (input.apps ?? []).length > 0)) {
      expect(targets, target).toContain(target);
    }
  });

  it.each(files.map((f) => [f.path, f] as const))('%s matches its golden file', (path, file) => {
    const goldenPath = join(golden, caseName, path);
    if (update) {
      mkdirSync(dirname(goldenPath), { recursive: true });
      writeFileSync(goldenPath, file.content);
    }
    expect(existsSync(goldenPath), `${goldenPath} (run with UPDATE_GOLDEN=1 to create)`).toBe(true);
    expect(file.content).toBe(readFileSync(goldenPath, 'utf8'));
  });

  it('leaves no stale golden file behind', () => {
    const rendered = new Set(files.map((f) => f.path));
    const stale = listFiles(join(golden, caseName))
      .map((p) => relative(join(golden, caseName), p))
      .filter((p) => !rendered.has(p));
    expect(stale).toEqual([]);
  });

  it.each(files.map((f) => [f.path, f] as const))('%s parses back', (path, file) => {
    if (path.endsWith('.json')) {
      expect(() => JSON.parse(file.content)).not.toThrow();
    } else if (path.endsWith('.yaml')) {
      const docs = parseAllDocuments(file.content);
      expect(docs.flatMap((d) => d.errors)).toEqual([]);
      for (const doc of docs) expect(doc.toJS()).toBeTypeOf('object');
    }
  });
});

describe('docker/ (the local stack)', () => {
  it('is exactly what `milvus-otel render compose --config docker/milvus-otel.yaml` renders (no drift)', () => {
    const config: unknown = parse(readFileSync(join(repoDocker, 'milvus-otel.yaml'), 'utf8'));
    for (const file of render('compose', resolveDeployConfig(config))) {
      expect(
        readFileSync(join(repoDocker, file.path), 'utf8'),
        `docker/${file.path}: run milvus-otel render compose --config docker/milvus-otel.yaml --out docker`,
      ).toBe(file.content);
    }
  });
});
