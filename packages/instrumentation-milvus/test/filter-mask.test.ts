import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskFilter } from '../src/filter-mask.ts';

describe('maskFilter', () => {
  it.each([
    ['id in [1, 2]', 'id in [?, ?]'],
    ['name == "x"', 'name == ?'],
    ["name == 'it''s'", 'name == ??'],
    ['name == "a \\" quoted"', 'name == ?'],
    ['age >= 18 and age < 65.5', 'age >= ? and age < ?'],
    ['score > -0.25e3', 'score > ?'],
    ['a - 1 > 2', 'a - ? > ?'],
    ['flag == true or other == False', 'flag == ? or other == ?'],
    ['color like "red%"', 'color like ?'],
    ['meta["color"] == "red"', 'meta["color"] == ?'],
    ['meta["a"]["b"] in ["x"]', 'meta["a"]["b"] in [?]'],
    ['tags[0] == 5', 'tags[0] == ?'],
    ['id in ["only"]', 'id in [?]'],
    ['json_contains(meta["tags"], "vip")', 'json_contains(meta["tags"], ?)'],
    ['array_contains_any(arr, [1, 2, 3])', 'array_contains_any(arr, [?, ?, ?])'],
    ['age > {min_age} and city in {cities}', 'age > {min_age} and city in {cities}'],
    ['field_2 == 0x1F', 'field_2 == ?'],
    ['not (id in [1])', 'not (id in [?])'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(maskFilter(input)).toBe(expected);
  });

  it('masks an unterminated string to the end', () => {
    expect(maskFilter('name == "secret')).toBe('name == ?');
  });

  it('never throws and is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const once = maskFilter(text);
        expect(maskFilter(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  const field = fc.constantFrom('id', 'age', 'name', 'meta["k"]', 'price_2');
  const stringLiteral = fc
    .string({ minLength: 1, maxLength: 12 })
    .map((s) => `SECRET${s.replace(/[\\"]/g, '')}`)
    .map((s) => ({ text: JSON.stringify(s), value: s }));
  const numberLiteral = fc
    .integer({ min: 100_000, max: 9_999_999 })
    .map((n) => ({ text: String(n), value: String(n) }));
  const literal = fc.oneof(stringLiteral, numberLiteral);
  const comparison = fc
    .tuple(field, fc.constantFrom('==', '!=', '>', '<=', 'like'), literal)
    .map(([f, op, lit]) => ({
      text: `${f} ${op} ${lit.text}`,
      template: `${f} ${op} ?`,
      values: [lit.value],
    }));
  const membership = fc.tuple(field, fc.array(literal, { minLength: 1, maxLength: 4 })).map(([f, lits]) => ({
    text: `${f} in [${lits.map((l) => l.text).join(', ')}]`,
    template: `${f} in [${lits.map(() => '?').join(', ')}]`,
    values: lits.map((l) => l.value),
  }));
  const filter = fc.array(fc.oneof(comparison, membership), { minLength: 1, maxLength: 4 }).chain((parts) =>
    fc
      .array(fc.constantFrom(' and ', ' or ', ' && '), {
        minLength: parts.length - 1,
        maxLength: parts.length - 1,
      })
      .map((joins) => ({
        text: parts.map((p, i) => (i > 0 ? joins[i - 1] : '') + p.text).join(''),
        template: parts.map((p, i) => (i > 0 ? joins[i - 1] : '') + p.template).join(''),
        values: parts.flatMap((p) => p.values),
      })),
  );

  it('keeps the structure of a filter and drops every literal', () => {
    fc.assert(
      fc.property(filter, ({ text, template, values }) => {
        const masked = maskFilter(text);
        expect(masked).toBe(template);
        for (const value of values) expect(masked).not.toContain(value);
      }),
      { numRuns: 1000 },
    );
  });
});
