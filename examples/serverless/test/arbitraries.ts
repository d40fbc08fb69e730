/**
 * Events for the property tests, and what every answer must look like. The oracles below restate the README's
 * rules independently of src/request.ts (code points with the string iterator, well-formedness as a UTF-8 round trip).
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { httpEvent } from '../scripts/rie.ts';

/** Fixed, so a failure replays; fast-check prints the seed and the counterexample's path. */
export const SEED = 20_261_202;

/** Any value at all: boxed values, Maps, null prototypes, sparse arrays; strings of any UTF-16 code unit. */
export const anyValue = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary',
});

/** Any JSON value (what a payload can carry), strings of any code unit: lone surrogates travel as JSON escapes. */
export const anyJson = fc.jsonValue({ stringUnit: 'binary', maxDepth: 4 });

const LONG = fc.constantFrom('😀', 'é', 'a', ' ', '\u0000', '\ud800', '\udfff', '語');

/** Search text: any code units (NUL, lone surrogates, blanks), and lengths around the 1000 code point limit. */
export const queryText = fc.oneof(
  fc.string({ unit: 'binary' }),
  { arbitrary: fc.string({ unit: 'grapheme', minLength: 1 }), weight: 2 },
  fc.string({ unit: LONG, minLength: 990, maxLength: 1010 }),
  fc.string({ unit: fc.constantFrom('😀', 'a'), minLength: 995, maxLength: 1005 }),
  fc.constantFrom('milvus', ' vector  database ', '😀'.repeat(1000), '😀'.repeat(1001), 'a\ud800', '\u0000'),
);

/** Category text: mostly valid, else any code units (a lone surrogate, a filter-expression quote…). */
export const categoryText = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), weight: 4 },
  fc.string({ unit: 'binary', maxLength: 70 }),
  fc.constantFrom('db', 'c'.repeat(64), 'c'.repeat(65), '\ud800', 'a" || id != "'),
);

/** Limit text: mostly 1 to 50, else around and beyond it, or not a number. */
export const limitText = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 50 }).map(String), weight: 4 },
  fc.integer({ min: -5, max: 1000 }).map(String),
  fc.string({ maxLength: 4 }),
);

export interface SearchCase {
  q?: string;
  category?: string;
  limit?: string;
}

export const searchCase: fc.Arbitrary<SearchCase> = fc.record(
  { q: queryText, category: categoryText, limit: limitText },
  { requiredKeys: ['q'] },
);

/** GET /search as API Gateway sends it. */
export const searchEvent = (c: SearchCase, headers: Record<string, string> = {}) =>
  httpEvent(
    'GET',
    '/search',
    Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)),
    headers,
  );

/** Well-formed: UTF-8 has a form for it (a lone surrogate comes back as U+FFFD). */
const utf8RoundTrips = (text: string) => new TextDecoder().decode(new TextEncoder().encode(text)) === text;

/** The README's rules: 200 when every parameter is valid, else 400. */
export function searchStatus(c: SearchCase): 200 | 400 {
  const q = c.q?.trim() ?? '';
  const qOk = q !== '' && utf8RoundTrips(q) && [...q].length <= 1000;
  const categoryOk = c.category === undefined || /^[A-Za-z0-9_-]{1,64}$/.test(c.category);
  const limitOk = c.limit === undefined || (/^\d{1,3}$/.test(c.limit) && +c.limit >= 1 && +c.limit <= 50);
  return qOk && categoryOk && limitOk ? 200 : 400;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

/** Where a field of an HTTP API event goes, and the type API Gateway gives it. */
const FIELDS = [
  ['rawPath', 'string'],
  ['routeKey', 'string'],
  ['headers', 'object'],
  ['headers.traceparent', 'string'],
  ['requestContext', 'object'],
  ['requestContext.http', 'object'],
  ['requestContext.http.method', 'string'],
  ['requestContext.http.path', 'string'],
  ['queryStringParameters', 'object'],
  ['queryStringParameters.q', 'string'],
  ['queryStringParameters.category', 'string'],
  ['queryStringParameters.limit', 'string'],
] as const;

/** What the 400 names for a wrong-typed field. */
export function issueFor(path: string): string {
  if (path.startsWith('headers.')) return 'headers must be an object of strings';
  if (path.startsWith('queryStringParameters.')) return `${path.split('.')[1]} must be a string`;
  const type = FIELDS.find(([p]) => p === path)?.[1];
  return `${path} must be ${type === 'string' ? 'a string' : 'an object'}`;
}

export interface Malformed {
  path: string;
  event: Record<string, unknown>;
}

/**
 * A valid search event with one field (at any level) replaced by a value of another type, present (not null or
 * undefined, which count as absent). `values` is anyValue in-process, anyJson through the Runtime API.
 */
export function malformedEvent(values: fc.Arbitrary<unknown>): fc.Arbitrary<Malformed> {
  return fc.constantFrom(...FIELDS).chain(([path, type]) =>
    values
      .filter((v) => present(v) && (type === 'string' ? typeof v !== 'string' : !isObject(v)))
      .map((value) => {
        const event = searchEvent({ q: 'milvus' }) as Record<string, unknown>;
        const keys = path.split('.');
        let at = event;
        for (const key of keys.slice(0, -1)) {
          at[key] = { ...(at[key] as Record<string, unknown>) };
          at = at[key] as Record<string, unknown>;
        }
        at[keys.at(-1) as string] = value;
        return { path, event };
      }),
  );
}

/** API Gateway HTTP API-like events whose fields, at every level, may have any type (or be missing). */
export function httpLikeEvent(values: fc.Arbitrary<unknown>) {
  const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof(good, values);
  return fc.record(
    {
      version: maybe(fc.constant('2.0')),
      routeKey: maybe(fc.constantFrom('GET /search', '$default')),
      rawPath: maybe(fc.constantFrom('/search', '/nope', '')),
      headers: maybe(fc.dictionary(fc.constantFrom('traceparent', 'host', 'x-a'), maybe(fc.string()))),
      requestContext: maybe(
        fc.record(
          {
            http: maybe(
              fc.record({
                method: maybe(fc.constantFrom('GET', 'POST')),
                path: maybe(fc.constant('/search')),
              }),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
      queryStringParameters: maybe(
        fc.record(
          { q: maybe(queryText), category: maybe(categoryText), limit: maybe(limitText) },
          { requiredKeys: [] },
        ),
      ),
      body: maybe(fc.string({ unit: 'binary' })),
    },
    { requiredKeys: [] },
  );
}

/** A payload as the Runtime API receives it: JSON of any shape, text that is not JSON, bytes that are not UTF-8. */
export const rawPayload: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  anyJson.map((v) => JSON.stringify(v)),
  httpLikeEvent(anyJson).map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'binary', minLength: 2000, maxLength: 5000 }),
  fc.constantFrom('', 'not json', '{', '{"rawPath": "/search"', '\u0000', 'null', 'undefined', '[1,'),
);

export interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A stack line, or a file of the function or its dependencies. */
const STACK = /^\s*at |file:\/\/|node_modules|\/[\w.-]+\.(?:m?js|ts)\b/m;

/**
 * Every answer: a 2xx or 4xx, a JSON body (hits, or an error with its issues), the trace id, and nothing of the
 * function's internals: no stack line, no file path.
 */
export function expectCleanAnswer(answer: unknown): Answer {
  const res = answer as Answer;
  expect(Object.keys(res ?? {}).sort(), JSON.stringify(answer)).toEqual(['body', 'headers', 'statusCode']);
  expect(res.statusCode >= 200 && res.statusCode < 500, res.body).toBe(true);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['x-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  const body = JSON.parse(res.body) as { hits?: unknown[]; error?: string; issues?: string[] };
  if (res.statusCode === 200) {
    expect(Array.isArray(body.hits)).toBe(true);
  } else {
    expect(typeof body.error).toBe('string');
    for (const issue of body.issues ?? []) expect(typeof issue).toBe('string');
  }
  expect(res.body).not.toMatch(STACK);
  for (const text of [body.error, ...(body.issues ?? [])]) if (text) expect(text).not.toMatch(STACK);
  return res;
}
