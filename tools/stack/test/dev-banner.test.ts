import { describe, expect, it } from 'vitest';
import { devBanner, exampleApps } from '../src/examples.ts';
import { loadSettings } from '../src/settings.ts';

describe('devBanner', () => {
  const settings = loadSettings({ HOME: '/home/u' }, '/repo');
  const apps = exampleApps(settings, {});

  it('lists each example with its URL and the Jaeger API', () => {
    const banner = devBanner(settings, apps);
    for (const app of apps) expect(banner).toContain(`http://127.0.0.1:${app.port.port}`);
    expect(banner).toContain('http://127.0.0.1:16686');
  });

  it('says what Ctrl-C stops: the stack too only when this session started it', () => {
    expect(devBanner(settings, apps, true)).toContain(
      'Ctrl-C stops the examples (their spans are flushed) and the stack.',
    );
    expect(devBanner(settings, apps, false)).toContain(
      'Ctrl-C stops the examples (their spans are flushed); the stack was already running and keeps running.',
    );
  });

  it('says how long it took: the stack (with its install on a first start) and the examples', () => {
    expect(
      devBanner(settings, apps, true, { stackMs: 41_200, examplesMs: 8_400, installMs: 35_000 }),
    ).toContain(
      'milvus-otel dev — everything is up in 50 s (first start: installing the native parts took 35 s of it; stack 41 s, examples 8.4 s). Try:',
    );
    expect(devBanner(settings, apps, true, { stackMs: 6_000, examplesMs: 7_000 })).toContain(
      'everything is up in 13 s (stack 6.0 s, examples 7.0 s). Try:',
    );
  });
});
