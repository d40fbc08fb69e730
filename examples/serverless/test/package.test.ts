/**
 * dist/function.zip is self-contained: unpacked outside the workspace (as Lambda unpacks it into /var/task), it runs
 * under the Runtime Interface Emulator, and the Milvus SDK it loads from its own node_modules is still traced.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, ensureLambdaRie, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageFunction } from '../scripts/package.ts';
import { type FunctionProcess, httpEvent, startFunction } from '../scripts/rie.ts';
import { ensureCollection, searchDocuments, upsertDocuments } from '../src/documents.ts';
import { freePort, invoke, spanChain } from './helpers.ts';

const stack = clientEnv(loadSettings());
const suffix = randomBytes(4).toString('hex');
const collection = `serverless_zip_${suffix}`;
const service = `serverless-zip-${suffix}`;
const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string, logLevel: 'info' });
const unpacked = mkdtempSync(join(tmpdir(), 'milvus-otel-function-'));
let fn: FunctionProcess | undefined;

beforeAll(async () => {
  const zip = packageFunction(join(unpacked, 'function.zip'));
  execFileSync('unzip', ['-q', zip, '-d', join(unpacked, 'task')]);
  await ensureCollection(milvus, collection);
  await upsertDocuments(milvus, collection, [
    { id: 'z1', title: 'Packaged', body: 'a zip with the bundle and its node_modules', category: 'zip' },
  ]);
  for (let i = 0; i < 100; i++) {
    if ((await searchDocuments(milvus, collection, 'zip bundle')).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  await fn?.stop();
  rmSync(unpacked, { recursive: true, force: true });
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
});

it('runs from the unpacked zip, Milvus SDK patched from the zip’s node_modules', async () => {
  fn = await startFunction({
    rie: await ensureLambdaRie(loadSettings()),
    port: await freePort(),
    runtimeApiPort: await freePort(),
    taskRoot: join(unpacked, 'task'),
    env: { ...stack, OTEL_SERVICE_NAME: service, DOCS_COLLECTION: collection },
  });
  const res = await invoke(fn, httpEvent('GET', '/search', { q: 'zip' }));
  expect(res.statusCode, res.body).toBe(200);
  expect((JSON.parse(res.body) as { hits: { id: string }[] }).hits[0]?.id).toBe('z1');
  const trace = await waitForTrace(stack.JAEGER_QUERY_URL as string, res.headers['x-trace-id'] as string, {
    complete: (t) => {
      const c = spanChain(t, service, collection);
      return Boolean(c.invocation && c.client && c.server.length > 0);
    },
    settleMs: 0,
  });
  const { invocation, client, server } = spanChain(trace, service, collection);
  expect(invocation).toBeDefined();
  expect(client).toBeDefined();
  expect(server.length).toBeGreaterThan(0);
});
