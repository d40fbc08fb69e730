import { afterEach, describe, expect, it, vi } from 'vitest';
import { waitReady } from '../src/health.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('waitReady', () => {
  it('polls until the probe says ready, telling what it waits for as it goes', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    let calls = 0;
    const probe = async () => (++calls < 8 ? `14 UNAVAILABLE (attempt ${calls})` : undefined);
    const result = await waitReady('milvus', probe, { timeoutMs: 5000, intervalMs: 10, progressMs: 30 });
    expect(result).toBeUndefined();
    expect(calls).toBe(8);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/waiting for milvus … \d+ s \(14 UNAVAILABLE \(attempt \d\)\)/);
  });

  it('gives up after the timeout with the last reason, and stops at once when the process exits', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(
      await waitReady('jaeger', async () => 'query API not answering', { timeoutMs: 50, intervalMs: 10 }),
    ).toBe('query API not answering');
    await expect(
      waitReady('redis', async () => 'no PONG', {
        timeoutMs: 5000,
        abort: () => 'redis exited during start-up (code 1)',
      }),
    ).rejects.toThrow('redis exited during start-up (code 1)');
  });
});
