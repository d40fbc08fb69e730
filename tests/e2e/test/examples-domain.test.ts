import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Each example carries its own copy of the document domain and of the Milvus start-up rules, so it can be copied out
// of the repository on its own; this keeps the copies from drifting apart. Each is read through its package's entry.
const EXAMPLES = ['express-service', 'worker', 'serverless'];
const SHARED = ['documents', 'milvus-startup'];
const read = (example: string, entry: string) =>
  readFileSync(fileURLToPath(import.meta.resolve(`@milvus-otel/example-${example}/${entry}`)), 'utf8');

describe('the examples share one document domain and one set of Milvus start-up rules', () => {
  for (const entry of SHARED) {
    it.each(EXAMPLES.slice(1))(`examples/%s/src/${entry}.ts is the same as express-service's`, (example) => {
      expect(read(example, entry)).toBe(read('express-service', entry));
    });
  }
});
