import { RUNS, text, unit } from '@milvus-otel/stack/hostile-text';
import { UnrecoverableError } from 'bullmq';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Document, LIMITS } from '../src/documents.ts';
import { validateJobData } from '../src/process-job.ts';

/** What validateJobData did with `data`: the data it accepted, or the reason it gave. */
function outcome(data: unknown): { ok: true; documents: Document[] } | { ok: false; reason: string } {
  try {
    return { ok: true, documents: validateJobData(data).documents };
  } catch (error) {
    // Anything but an UnrecoverableError would be retried, or crash the job loop.
    expect(error).toBeInstanceOf(UnrecoverableError);
    return { ok: false, reason: (error as Error).message };
  }
}

/** An oracle of its own: a string survives UTF-8 (as Milvus stores it) only when it has no lone surrogate. */
const utf8RoundTrips = (s: string) => Buffer.from(s, 'utf8').toString('utf8') === s;
const bytes = (s: string) => Buffer.from(s, 'utf8').length;

/** The documented rules, written independently of the schema. */
function documentIsValid(d: Record<string, unknown>): boolean {
  const { id, title, body, category, ...rest } = d;
  return (
    Object.keys(rest).length === 0 &&
    typeof id === 'string' &&
    /^[A-Za-z0-9_.:-]{1,64}$/.test(id) &&
    typeof title === 'string' &&
    utf8RoundTrips(title) &&
    bytes(title) <= LIMITS.title &&
    title.trim() !== '' &&
    typeof body === 'string' &&
    utf8RoundTrips(body) &&
    bytes(body) <= LIMITS.body &&
    typeof category === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(category)
  );
}

const document = (i: number, extra: Partial<Document> = {}): Document => ({
  id: `doc-${i}`,
  title: `Title ${i}`,
  body: `Body ${i}`,
  category: 'tests',
  ...extra,
});

/** Text that follows the rules, yet is not plain: NUL, quotes, line breaks, astral characters, any code point. */
const fineText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\0', '"', '\\', '\n', '🚀', 'é', '\u2028'),
    fc.string({ unit: 'binary', maxLength: 1 }),
  ),
  maxLength: 60,
});
const validDocument = fc.record({
  id: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,60}$/),
  title: fineText.map((t) => `T${t}`),
  body: fineText,
  category: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
});
/** A field that may break a rule: hostile text, or any JSON value. */
const anyField = fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue() });

/** Valid documents, documents with one field replaced or missing, extra keys. */
const nearDocument: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 2, arbitrary: validDocument },
  {
    weight: 2,
    arbitrary: fc
      .tuple(validDocument, fc.constantFrom('id', 'title', 'body', 'category'), anyField)
      .map(([d, key, value]) => ({ ...d, [key]: value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validDocument, fc.constantFrom('id', 'title', 'body', 'category', 'extra'), fc.boolean())
      .map(([d, key, drop]) => {
        const copy: Record<string, unknown> = { ...d };
        if (drop) delete copy[key];
        else copy[key === 'extra' ? key : `${key}_`] = 1;
        return copy;
      }),
  },
);

describe('job data validation', () => {
  it('rejects a lone surrogate anywhere in a job before any document is written, naming the document', () => {
    const documents = Array.from({ length: 150 }, (_, i) =>
      document(i, i === 120 ? { title: 'broken \ud800 title' } : {}),
    );
    const result = outcome({ documents, trace: {} });
    expect(result).toEqual({ ok: false, reason: expect.stringContaining('documents[120].title') });
    expect(!result.ok && result.reason).toMatch(/well-formed Unicode/);
    expect(outcome({ documents: [document(0, { body: 'x\udfffy' })] }).ok).toBe(false);
    // A surrogate pair is an ordinary (astral) character.
    expect(outcome({ documents: [document(0, { title: 'Rocket 🚀', body: '𝄞' })] }).ok).toBe(true);
  });

  it('gives a bounded, well-formed reason however bad the data', () => {
    const huge = Array.from({ length: 400 }, (_, i) => ({ id: '', title: '\ud800'.repeat(100), n: i }));
    const result = outcome({ documents: huge, [`key\ud800${'k'.repeat(5000)}`]: 1 });
    expect(result.ok).toBe(false);
    const reason = result.ok ? '' : result.reason;
    expect(Array.from(reason).length).toBeLessThanOrEqual(2001);
    expect(utf8RoundTrips(reason)).toBe(true);
    expect(reason).toMatch(/and \d+ more/);
  });

  it('answers any JSON value with valid data or an UnrecoverableError, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ stringUnit: unit }), fc.anything()), (data) => {
        const result = outcome(data);
        if (!result.ok) {
          expect(result.reason).toMatch(/^invalid job data: /);
          expect(utf8RoundTrips(result.reason)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('accepts exactly the documents that follow the rules; what it accepts Milvus can store', () => {
    fc.assert(
      fc.property(fc.array(nearDocument, { minLength: 1, maxLength: 3 }), (raw) => {
        // Distinct prefixes keep ids unique within the job (a rule of its own, tested above).
        const documents = raw.map((d, i) => (typeof d.id === 'string' ? { ...d, id: `${i}-${d.id}` } : d));
        const result = outcome({ documents, trace: { traceparent: 'not-a-traceparent' } });
        const expected = documents.every((d) => documentIsValid(d));
        expect(result.ok, JSON.stringify(result)).toBe(expected);
        if (result.ok) {
          for (const d of result.documents) {
            for (const value of Object.values(d)) expect(utf8RoundTrips(value)).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
