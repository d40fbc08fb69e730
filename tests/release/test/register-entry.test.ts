/** `node --import @milvus-otel/node/register` from the installed package: starts tracing before an ESM or CJS app. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeInConsumer, release } from '../src/consumer.ts';

// Starts a span through the app's own @opentelemetry/api: recording only if the preset registered a provider on the
// same API instance (the bundle takes the API through require(); an ESM app imports it).
const APP = `
const span = trace.getTracer('release-check').startSpan('check');
console.log(JSON.stringify({ recording: span.isRecording(), traceId: span.spanContext().traceId }));
span.end();
`;

beforeAll(() => {
  const dir = release().consumerDir;
  writeFileSync(join(dir, 'app.mjs'), `import { trace } from '@opentelemetry/api';\n${APP}`);
  writeFileSync(join(dir, 'app.cjs'), `const { trace } = require('@opentelemetry/api');\n${APP}`);
});

const imported = (app: string, env: NodeJS.ProcessEnv) =>
  nodeInConsumer(['--import', '@milvus-otel/node/register', app], {
    OTEL_SERVICE_NAME: 'release-check',
    ...env,
  });

describe('--import @milvus-otel/node/register', () => {
  it('with OTEL_SDK_DISABLED=true: the app runs, untraced, silently', async () => {
    const ran = await imported('app.mjs', { OTEL_SDK_DISABLED: 'true' });
    expect(ran.code, ran.describe).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ recording: false, traceId: '0'.repeat(32) });
    expect(ran.stderr, ran.describe).toBe('');
  });

  it.each(['app.mjs', 'app.cjs'])(
    'with OTEL_TRACES_EXPORTER=none: %s records spans and exits',
    async (app) => {
      const began = Date.now();
      const ran = await imported(app, { OTEL_TRACES_EXPORTER: 'none' });
      expect(ran.code, ran.describe).toBe(0);
      const { recording, traceId } = JSON.parse(ran.stdout) as { recording: boolean; traceId: string };
      expect(recording, ran.describe).toBe(true);
      expect(traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
      expect(ran.stderr, ran.describe).toBe('');
      expect(Date.now() - began, 'exits promptly (nothing keeps the process alive)').toBeLessThan(15_000);
    },
  );

  it('with a bad setting: stops start-up with one clear error', async () => {
    const ran = await imported('app.mjs', { OTEL_TRACES_SAMPLER: 'bogus' });
    expect(ran.code).toBe(1);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('@milvus-otel/node: tracing not started.');
    expect(ran.stderr).toContain('OTEL_TRACES_SAMPLER');
  });
});
