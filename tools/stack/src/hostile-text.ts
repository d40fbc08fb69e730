/** Hostile text for property tests, with a fixed seed: every run tries the same cases (FC_SEED overrides it). */
import fc from 'fast-check';

// fast-check prints the seed and the shrunk counterexample when a property fails.
export const RUNS = { seed: Number(process.env.FC_SEED ?? 20_261_202), numRuns: 100 } as const;

/** One unit of hostile text: lone surrogates, NUL, quotes, line breaks, astral characters, any code point. */
export const unit = fc.oneof(
  fc.constantFrom(
    '\ud800',
    '\udbff',
    '\udc00',
    '\udfff',
    '\0',
    '"',
    "'",
    '\\',
    '\n',
    '\r',
    ' ',
    '%',
    '\u2028',
    '\ufeff',
  ),
  fc.constantFrom('é', '🚀', 'a', 'Z', '0', '-', '_', '.', ':'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

/** Short hostile strings mostly, sometimes long ones around the byte limits. */
export const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit, maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit, minLength: 400, maxLength: 5000 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('é', '🚀', 'a', '\ud800'), fc.integer({ min: 100, max: 5000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);
