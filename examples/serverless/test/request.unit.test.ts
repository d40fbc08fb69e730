/**
 * The checks every invocation goes through before the search: the event's shape (src/request.ts readRequest) and
 * the search parameters (parseSearchParams). No stack, no build.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUERY_MAX } from '../src/documents.ts';
import { parseSearchParams, readRequest } from '../src/request.ts';
import {
  anyValue,
  httpLikeEvent,
  issueFor,
  malformedEvent,
  SEED,
  searchCase,
  searchEvent,
  searchStatus,
} from './arbitraries.ts';

/** The issues a 400 would name, or undefined when the search would run. */
function issuesOf(event: unknown): string[] | undefined {
  const read = readRequest(event);
  if (!read.ok) return read.issues;
  const parsed = parseSearchParams(read.request.query);
  return parsed.ok ? undefined : parsed.issues;
}

const query = (params: Record<string, unknown>) =>
  issuesOf({ ...searchEvent({}), queryStringParameters: params });

describe('the event', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['a number', 42],
    ['a string (a payload that is not JSON)', 'not json'],
    ['an array', [{ rawPath: '/search' }]],
  ])('must be an object: %s is refused', (_name, event) => {
    expect(issuesOf(event)).toEqual([
      'the event must be a JSON object: an API Gateway HTTP API request (2.0)',
    ]);
  });

  it('names every wrong-typed field', () => {
    expect(
      issuesOf({ rawPath: 1, routeKey: 5, headers: 'x', requestContext: { http: { method: 7 } } }),
    ).toEqual([
      'rawPath must be a string',
      'routeKey must be a string',
      'headers must be an object',
      'requestContext.http.method must be a string',
    ]);
    expect(issuesOf({ headers: { traceparent: 5 } })).toEqual(['headers must be an object of strings']);
    expect(issuesOf({ queryStringParameters: [] })).toEqual(['queryStringParameters must be an object']);
  });

  it('takes missing and null fields as absent (GET /, no query)', () => {
    expect(readRequest({})).toEqual({ ok: true, request: { method: 'GET', path: '/', query: {} } });
    expect(readRequest({ rawPath: null, queryStringParameters: null, headers: null })).toMatchObject({
      ok: true,
    });
    expect(readRequest(searchEvent({ q: 'x' }))).toEqual({
      ok: true,
      request: { method: 'GET', path: '/search', query: { q: 'x' } },
    });
  });

  it('refuses a wrong-typed field at any level, naming it', () => {
    fc.assert(
      fc.property(malformedEvent(anyValue), ({ path, event }) => {
        expect(issuesOf(event)).toContain(issueFor(path));
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('never throws, whatever the event: the search runs or the issues are named', () => {
    fc.assert(
      fc.property(fc.oneof(anyValue, httpLikeEvent(anyValue)), (event) => {
        const issues = issuesOf(event);
        if (issues) {
          expect(issues.length).toBeGreaterThan(0);
          for (const issue of issues) expect(typeof issue).toBe('string');
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('the search parameters', () => {
  it('refuses q and category that are not strings', () => {
    expect(query({ q: 5 })).toEqual(['q must be a string']);
    expect(query({ q: ['a', 'b'] })).toEqual(['q must be a string']);
    for (const category of [123, true, ['db']]) {
      expect(query({ q: 'ok', category })).toEqual(['category must be a string']);
    }
    expect(query({ q: {}, category: false, limit: 5 })).toEqual([
      'q must be a string',
      'category must be a string',
      'limit must be a string',
    ]);
  });

  it('counts q in code points, after trimming: at most QUERY_MAX (1000), like the Express example', () => {
    expect(QUERY_MAX).toBe(1000);
    expect(query({ q: '😀'.repeat(1000) })).toBeUndefined(); // 2000 UTF-16 code units
    expect(query({ q: `  ${'a'.repeat(1000)}  ` })).toBeUndefined();
    expect(query({ q: '😀'.repeat(1001) })).toEqual(['q is at most 1000 characters']);
    expect(query({ q: 'x'.repeat(1001) })).toEqual(['q is at most 1000 characters']);
  });

  it('refuses q and category with a lone surrogate', () => {
    expect(query({ q: 'milvus \ud800' })).toEqual(['q must be well-formed Unicode (no lone surrogate)']);
    expect(query({ q: '\udfff'.repeat(1001) })).toEqual([
      'q must be well-formed Unicode (no lone surrogate)',
    ]);
    expect(query({ q: 'ok', category: 'db\ud800' })).toEqual(['category is 1 to 64 letters, digits, _ or -']);
  });

  it('answers every query as the README says: the search runs exactly when every parameter is valid', () => {
    fc.assert(
      fc.property(searchCase, (c) => {
        const parsed = parseSearchParams({ ...c });
        expect(parsed.ok).toBe(searchStatus(c) === 200);
        if (parsed.ok) {
          expect(parsed.params.q).toBe(c.q?.trim());
          expect(parsed.params.category).toBe(c.category);
          expect(parsed.params.limit).toBe(c.limit === undefined ? 5 : Number(c.limit));
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
