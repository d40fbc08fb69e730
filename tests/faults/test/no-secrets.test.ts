/**
 * No secrets and no user data in spans. The Express example runs with Milvus credentials (the local Milvus has
 * authorization off and ignores them, so the service still works), answers searches whose text and category carry
 * marker strings, stores a document whose body carries one, and rejects injection-like filters, wrong shapes and
 * oversized bodies with 4xx without crashing. Then every span of the test's service (and every span of those traces,
 * the Milvus server's included) is read back from Jaeger and scanned: no marker, no credential, no vector.
 */
import { randomBytes } from 'node:crypto';
import type { OtlpTracesJson } from '@milvus-otel/jaeger-query';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dropCollection,
  type RunningApp,
  rawTracesOfService,
  sleep,
  startExpress,
  unique,
} from '../src/app.ts';

const hex = () => randomBytes(6).toString('hex');
const MARK = {
  username: `fuser${hex()}`,
  password: `fpass${hex()}`,
  query: `qmark${hex()}`,
  category: `cmark${hex()}`,
  injection: `imark${hex()}`,
  body: `bmark${hex()}`,
  title: `tmark${hex()}`,
  rejectedBody: `rmark${hex()}`,
};
/** What the SDK sends as `authorization` metadata for a user name and password. */
const basicToken = Buffer.from(`${MARK.username}:${MARK.password}`).toString('base64');

const collection = unique('faults_secrets');
const service = unique('faults_secrets');
let app: RunningApp;

interface Result {
  what: string;
  status: number;
  body: string;
}
const results: Result[] = [];

async function call(what: string, path: string, init: RequestInit = {}): Promise<Result> {
  const res = await fetch(`${app.url}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  const result = { what, status: res.status, body: await res.text() };
  results.push(result);
  return result;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

beforeAll(async () => {
  app = await startExpress({
    OTEL_SERVICE_NAME: service,
    DOCS_COLLECTION: collection,
    MILVUS_USERNAME: MARK.username,
    MILVUS_PASSWORD: MARK.password,
  });
});

afterAll(async () => {
  app?.kill();
  await dropCollection(collection);
});

describe('requests with secrets, payloads and hostile input', () => {
  it('the service works with Milvus credentials set (the local Milvus ignores them: authorization is off)', async () => {
    const doc = {
      id: `doc-${hex()}`,
      title: `Marker title ${MARK.title}`,
      body: `A body that must never reach a span: ${MARK.body} ${'lorem ipsum '.repeat(50)}`,
      category: MARK.category,
    };
    expect((await call('upsert a document with marker body', '/documents', json(doc))).status).toBe(201);
    const got = await call('get it back', `/documents/${doc.id}`);
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toMatchObject({ body: doc.body });
    // Searches see a new document within about a second (Bounded consistency).
    await sleep(1500);
    const search = await call(
      'search with marker query and category',
      `/search?q=${encodeURIComponent(`find ${MARK.query} please`)}&category=${MARK.category}&limit=5`,
    );
    expect(search.status).toBe(200);
    expect(JSON.parse(search.body).hits.map((h: { id: string }) => h.id)).toContain(doc.id);
    expect((await call('search with marker query', `/search?q=${MARK.query}`)).status).toBe(200);
  });

  it('rejects injection-like filters and ids with 400 (never sent to Milvus)', async () => {
    const hostileCategories = [
      'a" or 1==1',
      `a" or id == "${MARK.injection}`,
      `${MARK.injection}' || true || '`,
      `x) or (category != "${MARK.injection}"`,
      `${MARK.injection}\\" or 1==1`,
    ];
    for (const category of hostileCategories) {
      const r = await call(
        `category ${category}`,
        `/search?q=shoes&category=${encodeURIComponent(category)}`,
      );
      expect(r.status, category).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'bad_request' });
    }
    // (Ids are resource names: the path, ids included, is in the server span's url.path by design, so these carry
    // no marker.)
    for (const id of [`a" or 1==1`, `b" || id != "`, `a'b`]) {
      const r = await call(`id ${id}`, `/documents/${encodeURIComponent(id)}`);
      expect(r.status, id).toBe(400);
    }
  });

  it('answers wrong shapes, bad JSON and oversized bodies with 4xx, never a crash or a 5xx', async () => {
    const valid = { id: 'ok-1', title: 'T', body: MARK.rejectedBody, category: 'c' };
    const cases: [string, RequestInit, number][] = [
      ['array body', json([valid]), 400],
      ['string body', json('"just a string"'), 400],
      ['null body', json('null'), 400],
      ['number body', json('42'), 400],
      ['malformed JSON', json(`{"id": "x", "body": "${MARK.rejectedBody}"`), 400],
      ['missing fields', json({ id: 'x', body: MARK.rejectedBody }), 400],
      ['extra field', json({ ...valid, extra: MARK.rejectedBody }), 400],
      ['nested object as body', json({ ...valid, body: { text: MARK.rejectedBody } }), 400],
      ['vector smuggled in', json({ ...valid, embedding: Array.from({ length: 64 }, () => 0.5) }), 400],
      ['injection in id', json({ ...valid, id: `x" or 1==1 ${MARK.injection}` }), 400],
      ['body over 4096 bytes', json({ ...valid, body: `${MARK.rejectedBody} ${'é'.repeat(2100)}` }), 400],
      ['empty batch', json({ documents: [] }), 400],
      [
        'batch of 501',
        json({ documents: Array.from({ length: 501 }, (_, i) => ({ ...valid, id: `b${i}` })) }),
        400,
      ],
      ['duplicate ids in batch', json({ documents: [valid, valid] }), 400],
      [
        'text/plain body',
        { method: 'POST', headers: { 'content-type': 'text/plain' }, body: MARK.rejectedBody },
        400,
      ],
      ['body over 4 MB', json({ ...valid, body: `${MARK.rejectedBody}${'x'.repeat(5 * 1024 * 1024)}` }), 413],
    ];
    for (const [what, init, status] of cases) {
      const r = await call(what, '/documents', init);
      expect(r.status, what).toBe(status);
      expect(r.body, what).not.toMatch(/at .*\.(ts|js):\d+|node_modules/);
    }
    for (const [what, path] of [
      ['empty q', '/search?q=%20%20'],
      ['q over 1000 characters', `/search?q=${MARK.query}${'x'.repeat(1001)}`],
      ['limit not a number', '/search?q=a&limit=abc'],
      ['limit 0', '/search?q=a&limit=0'],
      ['limit 51', '/search?q=a&limit=51'],
      ['q twice', `/search?q=a&q=${MARK.query}`],
      ['category twice', `/search?q=a&category=a&category=${MARK.category}`],
    ] as const) {
      const r = await call(what, path);
      expect(r.status, what).toBe(400);
    }
    expect(app.child.exitCode, 'the service is still running').toBeNull();
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
  });
});

/* ---------- scanning what Jaeger has ---------- */

interface Finding {
  service: string;
  span: string;
  where: string;
  key: string;
  problem: string;
  value: string;
}

/** A vector: an array of numbers, or a string holding many comma-separated floats. */
function looksLikeVector(value: unknown): boolean {
  if (Array.isArray(value)) return value.length >= 8 && value.every((v) => typeof v === 'number');
  if (typeof value !== 'string') return false;
  return (value.match(/-?\d+\.\d+(e-?\d+)?\s*,/g)?.length ?? 0) >= 8;
}

/** Never in any span: credentials and document content. */
const NEVER: [string, string][] = [
  ['password', MARK.password],
  ['user name', MARK.username],
  ['authorization token', basicToken],
  ['document body', MARK.body],
  ['document title', MARK.title],
  ['rejected body', MARK.rejectedBody],
];
/** Search input and filter literals: redacted from the HTTP server span's url.query (see the last test). */
const SEARCH_INPUT: [string, string][] = [
  ['query text', MARK.query],
  ['category (filter literal)', MARK.category],
  ['injection attempt', MARK.injection],
];

type Attributes = NonNullable<NonNullable<OtlpTracesJson['resourceSpans'][number]['resource']>['attributes']>;
type AnyValue = NonNullable<Attributes[number]['value']>;

/** An OTLP attribute value as plain data: arrays as arrays (of numbers, for a vector), maps as objects. */
function plain(v: AnyValue | null | undefined): unknown {
  if (!v) return undefined;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(plain);
  if (v.kvlistValue)
    return Object.fromEntries((v.kvlistValue.values ?? []).map((a) => [a.key, plain(a.value)]));
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  return v.stringValue ?? v.boolValue ?? v.intValue ?? v.bytesValue;
}

/** The spans of a search answer. */
const spansOf = (raw: OtlpTracesJson) =>
  raw.resourceSpans.flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? []));
const serviceOf = (rs: OtlpTracesJson['resourceSpans'][number]) =>
  String(plain(rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value) ?? '?');

/** Every text Jaeger holds of the spans: resource and scope, span names, attributes, events, links, status. */
function scan(raw: OtlpTracesJson, secrets: readonly [string, string][]): Finding[] {
  const findings: Finding[] = [];
  const check = (svc: string, span: string, where: string, key: string, value: unknown) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    for (const [problem, marker] of secrets) {
      if (
        text.toLowerCase().includes(marker.toLowerCase()) ||
        key.toLowerCase().includes(marker.toLowerCase())
      )
        findings.push({ service: svc, span, where, key, problem, value: text.slice(0, 200) });
    }
    if (looksLikeVector(value))
      findings.push({ service: svc, span, where, key, problem: 'vector', value: text.slice(0, 200) });
  };
  const checkAll = (svc: string, span: string, where: string, attributes: Attributes | null | undefined) => {
    for (const a of attributes ?? []) check(svc, span, where, a.key, plain(a.value));
  };
  for (const rs of raw.resourceSpans) {
    const svc = serviceOf(rs);
    checkAll(svc, 'resource', 'resource attribute', rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      check(svc, 'scope', 'scope', 'name', ss.scope?.name ?? '');
      for (const s of ss.spans ?? []) {
        check(svc, s.name, 'span name', 'name', s.name);
        checkAll(svc, s.name, 'attribute', s.attributes);
        for (const e of s.events ?? []) {
          check(svc, s.name, 'event', 'name', e.name ?? '');
          checkAll(svc, s.name, 'event', e.attributes);
        }
        for (const l of s.links ?? []) checkAll(svc, s.name, 'link', l.attributes);
        check(svc, s.name, 'status', 'message', s.status?.message ?? '');
      }
    }
  }
  return findings;
}

describe('the scanner', () => {
  it('flags a credential, a marker and a vector wherever they are (tag, event, process tag)', () => {
    const text = (key: string, value: string) => ({ key, value: { stringValue: value } });
    const raw: OtlpTracesJson = {
      resourceSpans: [
        {
          resource: { attributes: [text('service.name', 's'), text('env', `x=${MARK.password}`)] },
          scopeSpans: [
            {
              scope: { name: 'scope' },
              spans: [
                {
                  traceId: 't',
                  spanId: 'a',
                  name: 'op',
                  attributes: [
                    {
                      key: 'v',
                      value: {
                        arrayValue: {
                          values: Array.from({ length: 64 }, (_, i) => ({ doubleValue: i / 7 })),
                        },
                      },
                    },
                    text('auth', `Basic ${basicToken}`),
                  ],
                  events: [{ name: 'exception', attributes: [text('exception.message', MARK.body)] }],
                  status: { code: 2, message: `rejected ${MARK.rejectedBody}` },
                },
              ],
            },
          ],
        },
      ],
    };
    expect(scan(raw, NEVER).map((f) => `${f.where}:${f.key}:${f.problem}`)).toEqual([
      'resource attribute:env:password',
      'attribute:v:vector',
      'attribute:auth:authorization token',
      'event:exception.message:document body',
      'status:message:rejected body',
    ]);
  });
});

describe('what Jaeger has of those requests', () => {
  let searchInputFindings: Finding[] = [];
  it('no span of the service (nor any span of its traces) holds a credential, a document body or title, or a vector; search input only in url.query', async () => {
    // The traced requests: every call above (the health check is untraced).
    const expected = results.length;
    const traceCount = (raw: OtlpTracesJson) => new Set(spansOf(raw).map((s) => s.traceId)).size;
    let raw: OtlpTracesJson = { resourceSpans: [] };
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      raw = await rawTracesOfService(service);
      if (traceCount(raw) >= expected) break;
      await sleep(1000);
    }
    // Milvus exports its own spans at its own pace: give them a moment once the app's are in.
    await sleep(3000);
    raw = await rawTracesOfService(service);
    const spans = spansOf(raw);
    const services = new Set(raw.resourceSpans.map(serviceOf));
    console.log(
      `no-secrets: ${results.length} requests, ${traceCount(raw)} traces, ${spans.length} spans, services ${[...services].join(', ')}; statuses ${JSON.stringify(
        Object.fromEntries(
          [...new Set(results.map((r) => r.status))].map((s) => [
            s,
            results.filter((r) => r.status === s).length,
          ]),
        ),
      )}`,
    );
    expect(traceCount(raw)).toBeGreaterThanOrEqual(expected);
    expect(spans.some((s) => s.name === `search ${collection}`)).toBe(true);
    expect(spans.some((s) => s.name === `upsert ${collection}`)).toBe(true);

    const never = scan(raw, NEVER);
    const input = scan(raw, SEARCH_INPUT);
    const inUrlQuery = (f: Finding) => f.service === service && f.key === 'url.query';
    console.log(
      `no-secrets: ${never.length} credential/content/vector findings; search input found in ${input.length} attributes (${input.filter(inUrlQuery).length} of them url.query of the HTTP server span)`,
    );
    if (never.length > 0) console.log('no-secrets: findings', never);
    expect(never).toEqual([]);
    // The Milvus client spans (no db.query.text: captureFilter is off), exception events and the Milvus server's
    // own spans carry no search input; only the HTTP server span's url.query does (next test).
    expect(input.filter((f) => !inUrlQuery(f))).toEqual([]);
    searchInputFindings = input;
  });

  // Was a known gap: @opentelemetry/instrumentation-http records the raw query string as url.query on the server span.
  // The preset now redacts every query value (keys kept: `q=REDACTED&category=REDACTED`) unless kept with
  // keepQueryParams / MILVUS_OTEL_KEEP_QUERY_PARAMS (packages/node/src/query-redaction.ts).
  it('the HTTP server spans do not hold the search text or category either (url.query)', () => {
    expect(searchInputFindings).toEqual([]);
  });
});
