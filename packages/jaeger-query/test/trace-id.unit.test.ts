import { describe, expect, it } from 'vitest';
import { fetchTrace, JaegerError, traceIdProblem } from '../src/index.ts';

describe('trace ids', () => {
  it.each(['0', '0000000000000000', '0'.repeat(32)])(
    '%s: all zeros is the invalid id of W3C Trace Context',
    (id) => {
      expect(traceIdProblem(id)).toBe(
        `"${id}" is the all-zero trace id, which W3C Trace Context defines as invalid`,
      );
    },
  );

  it.each(['xyz', '', '0'.repeat(33), 'g'.repeat(32)])('%s is not hex of 1-32 digits', (id) => {
    expect(traceIdProblem(id)).toBe(`"${id}" is not a trace id: expected 1–32 hex digits`);
  });

  it.each(['1', '00000000000000000000000000000001', '1a76ff86ed6173981ad647dbd9c1205c', 'ABCDEF0123456789'])(
    '%s is one',
    (id) => {
      expect(traceIdProblem(id)).toBeUndefined();
    },
  );

  it('fetchTrace refuses the all-zero id without asking Jaeger', async () => {
    // Nothing listens on port 1: reaching out would fail with "not reachable" instead.
    await expect(fetchTrace('http://127.0.0.1:1', '0'.repeat(32))).rejects.toThrow(
      new JaegerError(
        `"${'0'.repeat(32)}" is the all-zero trace id, which W3C Trace Context defines as invalid`,
      ),
    );
  });
});
