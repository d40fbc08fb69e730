import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// Each example carries its own copy of the document domain so it can be copied out of the repository on its own;
// this keeps the copies from drifting apart.
const EXAMPLES = ['express-service', 'worker', 'serverless'];
const read = (example: string) =>
  readFileSync(new URL(`../../../examples/${example}/src/documents.ts`, import.meta.url), 'utf8');

describe('the examples share one document domain', () => {
  it.each(EXAMPLES.slice(1))('examples/%s/src/documents.ts is the same as express-service', (example) => {
    expect(read(example)).toBe(read('express-service'));
  });
});
