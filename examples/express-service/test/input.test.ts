/**
 * Input that passed validation but could not be stored, paths that are not percent-encoding, the search query limit,
 * and what a Milvus refusal becomes: against the real stack.
 */

import { LEAKS, NOT_HTTP, rawRequest, requestOf } from '@milvus-otel/stack/raw-http';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSION, type Document, QUERY_MAX } from '../src/documents.ts';
import {
  appEnv,
  dropCollection,
  milvusAddress,
  type RunningApp,
  redisUrl,
  startApp,
  storedIds,
  unique,
} from './helpers.ts';

const collection = unique('express_input');
const ingestQueue = unique('express_input_ingest'); // no worker takes jobs off it
let app: RunningApp;
let redis: Redis;
let queue: Queue;

beforeAll(async () => {
  app = await startApp(
    appEnv({
      OTEL_SERVICE_NAME: unique('express_input'),
      DOCS_COLLECTION: collection,
      REDIS_URL: redisUrl,
      INGEST_QUEUE: ingestQueue,
    }),
  );
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  queue = new Queue(ingestQueue, { connection: redis });
});

afterAll(async () => {
  app?.child.kill('SIGTERM');
  await app?.exited;
  await queue?.obliterate({ force: true });
  await queue?.close();
  redis?.disconnect();
  await dropCollection(collection);
});

const post = (path: string, body: unknown, url = app.url) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // JSON.stringify writes a lone surrogate as the escape `\ud800`, as any JSON client may.
    body: JSON.stringify(body),
  });
const doc = (id: string, extra: Partial<Document> = {}): Document => ({
  id,
  title: `Title of ${id}`,
  body: `Body of ${id}`,
  category: 'tests',
  ...extra,
});

/** A 400 in the documented shape; returns the paths of its issues. */
async function badRequest(res: Response): Promise<string[]> {
  const text = await res.text();
  expect(res.status, text).toBe(400);
  expect(text).not.toMatch(LEAKS);
  const body = JSON.parse(text) as { error: string; issues?: { path: string; message: string }[] };
  expect(body.error).toBe('bad_request');
  return (body.issues ?? []).map((i) => i.path);
}

describe('text that has no UTF-8 form (a lone surrogate)', () => {
  it('POST /documents answers 400 for a title or a body with one, and stores nothing', async () => {
    const id = unique('surrogate');
    expect(await badRequest(await post('/documents', doc(id, { title: 'bad \ud800 title' })))).toEqual([
      'title',
    ]);
    expect(await badRequest(await post('/documents', doc(id, { body: 'bad body \udc00' })))).toEqual([
      'body',
    ]);
    expect(await storedIds(collection, [id])).toEqual([]);
    // A surrogate pair is a character like any other.
    const fine = doc(unique('astral'), { title: 'Rocket 🚀', body: '𝄞 clef' });
    expect((await post('/documents', fine)).status).toBe(201);
    expect(await (await fetch(`${app.url}/documents/${fine.id}`)).json()).toEqual(fine);
  });

  it('rejects a 150-document batch with one at index 120 as a whole: none of the 150 is stored', async () => {
    const prefix = unique('batch');
    const documents = Array.from({ length: 150 }, (_, i) =>
      doc(`${prefix}-${i}`, i === 120 ? { title: 'broken \ud800' } : {}),
    );
    expect(await badRequest(await post('/documents', { documents }))).toEqual(['documents.120.title']);
    expect(
      await storedIds(
        collection,
        documents.map((d) => d.id),
      ),
    ).toEqual([]);
  });

  it('POST /ingest answers 400 and queues nothing', async () => {
    const documents = [doc(unique('queued')), doc(unique('queued'), { body: '\ud83d' })];
    expect(await badRequest(await post('/ingest', { documents }))).toEqual(['documents.1.body']);
    const counts = await queue.getJobCounts();
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('paths that are not percent-encoded UTF-8', () => {
  it.each(['%ZZ', '%', '%E0%A4%A', '%ED%A0%80', 'a%2'])(
    'GET /documents/%s answers 400 JSON, not 500',
    async (id) => {
      // Sent raw: fetch() would normalise some of these targets.
      const res = await rawRequest(Number(new URL(app.url).port), requestOf('GET', `/documents/${id}`));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: 'bad_request',
        message: expect.stringMatching(/percent-encoding/),
      });
      expect(res.raw).not.toMatch(LEAKS);
      expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
    },
  );
});

describe('request targets that are not URLs', () => {
  it.each(['http://[', 'http://a:b@[/documents/x'])(
    'GET %s answers 400 JSON with its trace id',
    async (target) => {
      const res = await rawRequest(Number(new URL(app.url).port), requestOf('GET', target));
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(res.body)).toEqual({
        error: 'bad_request',
        message: 'The request target is not a valid URL.',
      });
      expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
      expect(app.child.exitCode).toBeNull();
    },
  );
});

describe('bytes that are no HTTP request', () => {
  it('answers them in JSON too: 400, or 431 for headers over 16 KB', async () => {
    const port = Number(new URL(app.url).port);
    for (const target of ['/a b', '/é', '/search?q=\x7f']) {
      const res = await rawRequest(port, requestOf('GET', target));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 'bad_request', message: NOT_HTTP });
    }
    const huge = await rawRequest(port, requestOf('GET', `/search?q=${'a'.repeat(20_000)}`));
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body)).toMatchObject({ error: 'bad_request' });
    expect(app.child.exitCode).toBeNull();
  });
});

describe(`the search query limit: ${QUERY_MAX} characters, counted in code points`, () => {
  const search = (q: string) => fetch(`${app.url}/search?q=${encodeURIComponent(q)}&limit=1`);

  it(`accepts ${QUERY_MAX} characters however many UTF-16 units they take`, async () => {
    expect((await search('a'.repeat(QUERY_MAX))).status).toBe(200);
    // 1000 emoji are 2000 UTF-16 units: still 1000 characters.
    expect((await search('🚀'.repeat(QUERY_MAX))).status).toBe(200);
    expect((await search(`${'é'.repeat(QUERY_MAX - 1)}𝄞`)).status).toBe(200);
  });

  it(`rejects ${QUERY_MAX + 1} characters`, async () => {
    expect(await badRequest(await search('a'.repeat(QUERY_MAX + 1)))).toEqual(['q']);
    expect(await badRequest(await search('🚀'.repeat(QUERY_MAX + 1)))).toEqual(['q']);
  });

  it('rejects a category that is not a plain name, such as one with a surrogate', async () => {
    const res = await fetch(`${app.url}/search?q=x&category=a%ED%A0%80`);
    expect(await badRequest(res)).toEqual(['category']);
  });
});

describe('a request Milvus refuses', () => {
  // A collection made by someone else, with a title limit below the app's: validation passes, Milvus refuses.
  const narrow = unique('express_narrow');
  let narrowApp: RunningApp;

  beforeAll(async () => {
    const milvus = new MilvusClient({ address: milvusAddress, logLevel: 'error' });
    try {
      await milvus.createCollection({
        collection_name: narrow,
        fields: [
          { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
          { name: 'title', data_type: DataType.VarChar, max_length: 30 },
          { name: 'body', data_type: DataType.VarChar, max_length: 4096 },
          { name: 'category', data_type: DataType.VarChar, max_length: 64 },
          { name: 'embedding', data_type: DataType.FloatVector, dim: DIMENSION },
        ],
      });
    } finally {
      await milvus.closeConnection();
    }
    narrowApp = await startApp(
      appEnv({ OTEL_SERVICE_NAME: unique('express_narrow'), DOCS_COLLECTION: narrow }),
    );
  });

  afterAll(async () => {
    narrowApp?.child.kill('SIGTERM');
    await narrowApp?.exited;
    await dropCollection(narrow);
  });

  it('answers 500 milvus_rejected, not 503 milvus_unavailable: trying again would not help', async () => {
    const id = unique('long_title');
    const res = await post(
      '/documents',
      doc(id, { title: 'A title longer than thirty bytes' }),
      narrowApp.url,
    );
    const text = await res.text();
    expect(res.status, text).toBe(500);
    expect(JSON.parse(text)).toEqual({
      error: 'milvus_rejected',
      message: 'The vector database refused the request; retrying will not help.',
    });
    expect(text).not.toMatch(LEAKS);
    expect(await storedIds(narrow, [id])).toEqual([]);
    // The reason is in the service's log.
    expect(narrowApp.output()).toMatch(/milvus_rejected: .*exceeds max length/);
  });
});
