/**
 * Property tests against the running service and the real stack: arbitrary JSON bodies, hostile strings in the query,
 * the ids and the documents, and arbitrary request targets sent raw. Whatever comes in, the answer is JSON (2xx or
 * 4xx), without a stack trace; the process lives; every request that reached the app has its trace in Jaeger; and a
 * rejected request stores nothing.
 */
import { fetchTrace } from '@milvus-otel/jaeger-query';
import { RUNS, text, unit } from '@milvus-otel/stack/hostile-text';
import { LEAKS, NOT_HTTP, type RawResponse, rawRequest, requestOf } from '@milvus-otel/stack/raw-http';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appEnv,
  dropCollection,
  jaegerUrl,
  type RunningApp,
  redisUrl,
  startApp,
  storedIds,
  unique,
} from './helpers.ts';

const collection = unique('express_props');
const ingestQueue = unique('express_props_ingest'); // no worker takes jobs off it
const service = unique('express_props');
let app: RunningApp;
let port: number;
let redis: Redis;
let queue: Queue;

/** Trace ids of the answers, and the ids of documents sent in accepted and in rejected requests. */
const traceIds: string[] = [];
const accepted = new Set<string>();
const rejected = new Set<string>();
let queued = 0;

beforeAll(async () => {
  app = await startApp(
    appEnv({
      OTEL_SERVICE_NAME: service,
      DOCS_COLLECTION: collection,
      REDIS_URL: redisUrl,
      INGEST_QUEUE: ingestQueue,
    }),
  );
  port = Number(new URL(app.url).port);
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

/** Health-check paths the preset leaves untraced: their answers carry no trace id. */
const UNTRACED = new Set(['/healthz', '/health', '/livez', '/readyz']);
const pathOf = (target: string) => {
  const path = target.split(/[?#]/)[0] ?? '';
  if (path.startsWith('/')) return path;
  try {
    return new URL(target).pathname;
  } catch {
    return path;
  }
};

/**
 * The checks every answer passes, the app's and the server's to bytes that never reached the app (not HTTP, headers
 * over 16 KB); returns the parsed body.
 */
function checkAnswer(
  status: number | undefined,
  headers: Record<string, string>,
  body: string,
  target: string,
) {
  expect(body).not.toMatch(LEAKS);
  // 5xx only when Milvus or Redis is really unavailable, which they are not here.
  expect(status === undefined ? 0 : Math.floor(status / 100), `${status} ${body}`).toBeOneOf([2, 4]);
  expect(headers['content-type']).toMatch(/^application\/json/);
  const json = JSON.parse(body) as { message?: unknown };
  const reachedApp = json.message !== NOT_HTTP && status !== 431;
  const traceId = headers['x-trace-id'];
  if (!reachedApp || UNTRACED.has(pathOf(target))) expect(traceId).toBeUndefined();
  else {
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    traceIds.push(traceId as string);
  }
  return json;
}

async function send(method: string, path: string, body?: string | Uint8Array<ArrayBuffer>) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  });
  const text = await res.text();
  const json = checkAnswer(res.status, Object.fromEntries(res.headers), text, path);
  return { status: res.status, json };
}

/** UTF-8, except that a lone surrogate is sent as its 3-byte (WTF-8) form, which is not UTF-8. */
function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    const bytes =
      cp >= 0xd800 && cp <= 0xdfff
        ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]
        : [...Buffer.from(ch, 'utf8')];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

let marker = 0;
/** An id no other request uses, so Milvus can be asked whether this very document was stored. */
const markerId = () => `${collection}-${++marker}`;

const NO_KEY = Symbol('no key');

/** Documents near the rules: mostly valid fields, one hostile field, sometimes a missing or extra key. */
const documentArb = fc
  .record({
    id: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: text }),
    title: fc.oneof(fc.constant('A title'), text),
    body: fc.oneof(fc.constant('A body'), text),
    category: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('props', 'a-b_c') },
      { weight: 1, arbitrary: text },
    ),
    extra: fc.oneof({ weight: 6, arbitrary: fc.constant(NO_KEY) }, { weight: 1, arbitrary: fc.jsonValue() }),
  })
  .map(({ id, extra, ...rest }) => {
    // undefined: a marker id of its own; a string: a hostile id, never stored under it (checked with the markers).
    const doc: Record<string, unknown> = { id: id ?? markerId(), ...rest };
    if (extra !== NO_KEY) doc.extra = extra;
    return doc;
  });

const bodyArb = fc.oneof(
  { weight: 2, arbitrary: documentArb },
  { weight: 2, arbitrary: fc.record({ documents: fc.array(documentArb, { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.jsonValue({ stringUnit: unit }) },
  { weight: 1, arbitrary: fc.record({ documents: fc.jsonValue({ stringUnit: unit }) }) },
);

/** The marker ids in a body (hostile ids are left out: they cannot be looked up safely). */
const markersIn = (body: unknown): string[] => {
  const docs = (body as { documents?: unknown })?.documents ?? [body];
  return (Array.isArray(docs) ? docs : [])
    .map((d) => (d as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string' && id.startsWith(`${collection}-`));
};

describe('arbitrary input', () => {
  it('POST /documents and /ingest: 2xx or 4xx JSON for any JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/documents', '/ingest'), bodyArb, async (path, body) => {
        const { status } = await send('POST', path, JSON.stringify(body));
        expect([201, 202, 400, 413]).toContain(status);
        const ids = markersIn(body);
        if (status === 201) for (const id of ids) accepted.add(id);
        else for (const id of ids) rejected.add(id);
        if (status === 202) queued++;
      }),
      RUNS,
    );
    // Nothing of a rejected request reached Milvus or the queue; everything accepted did.
    const forStore = [...rejected].filter((id) => !accepted.has(id));
    expect(await storedIds(collection, forStore)).toEqual([]);
    expect((await storedIds(collection, [...accepted])).sort()).toEqual([...accepted].sort());
    expect(accepted.size).toBeGreaterThan(0);
    expect(rejected.size).toBeGreaterThan(0);
    expect(await queue.count()).toBe(queued);
  });

  it('POST /documents: a body that is not JSON, or not UTF-8', async () => {
    const raw = fc.oneof(
      fc.string({ unit, maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
      fc.uint8Array({ maxLength: 200 }),
      // JSON whose strings are not UTF-8 (a lone surrogate in its 3-byte form).
      fc.constant(Buffer.from('{"id":"x","title":"\xed\xa0\x80","body":"","category":"c"}', 'latin1')),
    );
    await fc.assert(
      fc.asyncProperty(raw, async (body) => {
        const { status } = await send('POST', '/documents', body);
        expect([201, 400, 413, 415]).toContain(status);
      }),
      { ...RUNS, numRuns: 50 },
    );
  });

  it('GET /search: any q, category and limit (lone surrogates sent as WTF-8 bytes)', async () => {
    const param = fc.option(text, { freq: 5 });
    await fc.assert(
      fc.asyncProperty(
        param,
        param,
        fc.option(fc.oneof(fc.integer(), text), { freq: 3 }),
        async (q, category, limit) => {
          const query = [
            q === null ? '' : `q=${percentEncode(q)}`,
            category === null ? '' : `category=${percentEncode(category)}`,
            limit === null ? '' : `limit=${percentEncode(String(limit))}`,
          ].join('&');
          const { status, json } = await send('GET', `/search?${query}`);
          expect([200, 400, 431]).toContain(status); // 431: a URL over 16 KB
          if (status === 200) expect(json).toEqual({ hits: expect.any(Array) });
        },
      ),
      RUNS,
    );
  });

  it('GET /documents/:id: any id, percent-encoded or not', async () => {
    const id = fc.oneof(
      text.map(percentEncode),
      fc.string({
        unit: fc.constantFrom('%', 'Z', 'E0', 'A4', '0', 'a', '-', '.', '~'),
        minLength: 1,
        maxLength: 12,
      }),
    );
    await fc.assert(
      fc.asyncProperty(id, async (encoded) => {
        const { status } = await send('GET', `/documents/${encoded}`);
        expect([200, 400, 404, 431]).toContain(status);
      }),
      RUNS,
    );
  });

  it('any request target, sent raw: a JSON answer, from the app or to bytes that are no HTTP', async () => {
    const visibleAscii = fc
      .string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 })
      .filter((c) => c > ' ' && c < '\x7f');
    const target = fc.oneof(
      fc.constantFrom(
        'http://[',
        '*',
        '//',
        '%',
        '/%ZZ',
        '/search?q=%',
        'http://example.com/search?q=x',
        '/healthz?x=1',
      ),
      fc.webPath(),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({
        unit: fc.oneof(visibleAscii, fc.constantFrom('é', '🚀', '\ud800', '\x7f', '\t')),
        minLength: 1,
        maxLength: 40,
      }),
    );
    const method = fc.constantFrom(
      'GET',
      'GET',
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'DELETE',
      'OPTIONS',
      'CONNECT',
      'BREW',
    );
    await fc.assert(
      fc.asyncProperty(method, target, async (m, t) => {
        const res: RawResponse = await rawRequest(
          port,
          requestOf(m, t, m === 'POST' ? 'Content-Length: 0\r\n' : ''),
        );
        expect(res.raw).not.toMatch(LEAKS);
        if (m === 'CONNECT' && res.closedSilently) return; // Node drops CONNECT when nobody tunnels
        if (m === 'HEAD') {
          expect(res.status === undefined ? 0 : Math.floor(res.status / 100)).toBeOneOf([2, 4]);
          return;
        }
        checkAnswer(res.status, res.headers, res.body, t);
      }),
      RUNS,
    );
  });

  afterAll(async () => {
    // The process lived through all of it.
    expect(app.child.exitCode).toBeNull();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});

describe('tracing of arbitrary input', () => {
  it('every answered request has its trace, with the server span, in Jaeger', async () => {
    expect(traceIds.length).toBeGreaterThan(300);
    const deadline = Date.now() + 30_000;
    let pending = [...new Set(traceIds)];
    while (pending.length > 0 && Date.now() < deadline) {
      const found = new Set<string>();
      // A few lookups at a time: Jaeger's query API is shared with the other tests.
      for (let i = 0; i < pending.length; i += 20) {
        await Promise.all(
          pending.slice(i, i + 20).map(async (id) => {
            const trace = await fetchTrace(jaegerUrl, id);
            if (trace?.spans.some((s) => s.service === service && s.tags['span.kind'] === 'server'))
              found.add(id);
          }),
        );
      }
      pending = pending.filter((id) => !found.has(id));
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(pending, 'trace ids not in Jaeger').toEqual([]);
  });
});
