/**
 * A cold start while Milvus is not up yet: the built function under the Lambda Runtime Interface Emulator, with its
 * MILVUS_ADDRESS on a port where nothing listens until the test opens it (then it leads to the stack's Milvus).
 */
import { randomBytes } from 'node:crypto';
import { clientEnv, ensureLambdaRie, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionProcess, httpEvent, startFunction } from '../scripts/rie.ts';
import { ensureCollection, searchDocuments, upsertDocuments } from '../src/documents.ts';
import { freePort, invoke, type LateMilvus, lateMilvus } from './helpers.ts';

const stack = clientEnv(loadSettings());
const suffix = randomBytes(4).toString('hex');
const collection = `serverless_late_${suffix}`;
const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string, logLevel: 'error' });
const search = () => httpEvent('GET', '/search', { q: 'milvus embeddings' });

let running: FunctionProcess | undefined;
let late: LateMilvus | undefined;

beforeAll(async () => {
  await ensureCollection(milvus, collection);
  await upsertDocuments(milvus, collection, [
    { id: 'l1', title: 'Late Milvus', body: 'Milvus stores embeddings and searches them', category: 'db' },
  ]);
  for (let i = 0; i < 100; i++) {
    if ((await searchDocuments(milvus, collection, 'milvus embeddings')).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterEach(async () => {
  await running?.stop();
  await late?.close();
  running = undefined;
  late = undefined;
});

afterAll(async () => {
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
});

async function start(env: Record<string, string>): Promise<FunctionProcess> {
  running = await startFunction({
    rie: await ensureLambdaRie(loadSettings()),
    port: await freePort(),
    runtimeApiPort: await freePort(),
    env: { ...stack, OTEL_SERVICE_NAME: `serverless-late-${suffix}`, DOCS_COLLECTION: collection, ...env },
  });
  return running;
}

const timed = async <T>(work: Promise<T>) => {
  const started = Date.now();
  const result = await work;
  return { result, ms: Date.now() - started };
};

describe('a cold start before Milvus is up', () => {
  it('waits (MILVUS_STARTUP_TIMEOUT_MS set to 20 s) for Milvus to come up, then answers the search', async () => {
    late = await lateMilvus(stack.MILVUS_ADDRESS as string);
    const fn = await start({ MILVUS_ADDRESS: late.address, MILVUS_STARTUP_TIMEOUT_MS: '20000' });
    const opened = new Promise((r) => setTimeout(r, 3000)).then(() => late?.open());
    const { result: res, ms } = await timed(invoke(fn, search()));
    await opened;
    expect(res.statusCode, res.body).toBe(200);
    expect((JSON.parse(res.body) as { hits: { id: string }[] }).hits[0]?.id).toBe('l1');
    expect(ms).toBeGreaterThanOrEqual(3000);
    const output = fn.output();
    // The first progress line comes with the first failed attempt, while the address is still closed (its first
    // 3 s); how long that attempt takes depends on the machine's load, so its elapsed seconds are checked against
    // the 3 s rather than expected to round to 0.
    const waitingLine = new RegExp(
      `waiting for Milvus at ${late.address}: 14 UNAVAILABLE: .*\\((\\d+) s of 20 s\\)`,
    );
    expect(output).toMatch(waitingLine);
    expect(Number(output.match(waitingLine)?.[1]), output).toBeLessThan(3);
    expect(output).toContain(`Milvus at ${late.address} is ready after`);
    expect(output).not.toMatch(/undefined/);
  });

  it('by default answers 503 after about 5 s, and the next invocation waits again and searches once Milvus is up', async () => {
    late = await lateMilvus(stack.MILVUS_ADDRESS as string);
    const fn = await start({ MILVUS_ADDRESS: late.address });
    const first = await timed(invoke(fn, search()));
    expect(first.result.statusCode).toBe(503);
    expect(first.result.headers['retry-after']).toBe('1');
    expect(first.ms).toBeGreaterThanOrEqual(4500);
    expect(first.ms).toBeLessThan(10_000);
    expect(fn.output()).toMatch(
      new RegExp(
        `Milvus at ${late.address} is not available for collection ${collection}: Milvus did not become ready within 5 s`,
      ),
    );
    expect(fn.output()).toContain('raise MILVUS_STARTUP_TIMEOUT_MS (now 5000)');

    await late.open();
    const second = await invoke(fn, search());
    expect(second.statusCode, `${second.body}\n${fn.output()}`).toBe(200);
    expect((JSON.parse(second.body) as { hits: { id: string }[] }).hits[0]?.id).toBe('l1');
    expect(fn.output()).not.toMatch(/undefined/);
  });

  it('answers 503 at once when the Milvus host does not resolve, logging the cause and the fix', async () => {
    const fn = await start({ MILVUS_ADDRESS: 'does-not-exist.invalid:19530' });
    const { result: res, ms } = await timed(invoke(fn, search()));
    expect(res.statusCode).toBe(503);
    expect(ms).toBeLessThan(5000);
    const output = fn.output();
    expect(output).toContain(
      `Milvus at does-not-exist.invalid:19530 is not available for collection ${collection}: getaddrinfo ENOTFOUND does-not-exist.invalid (not retried`,
    );
    expect(output).toContain('Fix: point MILVUS_ADDRESS at a host that resolves');
    expect(output).not.toMatch(/undefined|waiting for Milvus/);
  });
});
