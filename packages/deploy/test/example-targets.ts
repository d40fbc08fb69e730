// The targets of this repository's examples (tools/stack/verify-examples.yaml, what `./pnpm milvus-otel verify`
// checks): the tests use their expectations, and send them to stand-ins.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { TraceExpectation } from '../src/verify/check.ts';
import { parseVerifyTargets } from '../src/verify/targets.ts';

export const EXAMPLE_TARGETS_FILE = fileURLToPath(
  new URL('../../../tools/stack/verify-examples.yaml', import.meta.url),
);

/** The examples' targets, their URLs from `env` (EXPRESS_URL, LAMBDA_URL, …; defaults when unset). */
export function exampleTargets(env: Record<string, string> = {}) {
  return parseVerifyTargets(parse(readFileSync(EXAMPLE_TARGETS_FILE, 'utf8')), { env });
}

const { targets } = exampleTargets();
const expectation = (name: string): TraceExpectation => {
  const target = targets.find((t) => t.name === name);
  if (!target) throw new Error(`${EXAMPLE_TARGETS_FILE} has no target ${name}`);
  return target.expect;
};

/** The trace each example's request must give. */
export const EXPECTATIONS = {
  express: expectation('express'),
  worker: expectation('worker'),
  serverless: expectation('serverless'),
} as const;
