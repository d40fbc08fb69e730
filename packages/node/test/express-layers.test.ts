import type { TraceSpan } from '@milvus-otel/jaeger-query';
import { describe, expect, it } from 'vitest';
import { appEnv, fixture, startApp, traceWith, unique } from './helpers.ts';

/**
 * Runs the Express fixture with `--import @milvus-otel/node/register`, requests GET /items/42, ends the app with
 * SIGTERM (the preset flushes) and returns the request's spans as Jaeger has them.
 */
async function requestSpans(extra: Record<string, string>): Promise<readonly TraceSpan[]> {
  const service = unique('express_layers');
  const { child, firstLine, exited, stderr } = await startApp(
    ['--import', '@milvus-otel/node/register', fixture('express-app.mjs')],
    appEnv(service, extra),
  );
  const { port } = JSON.parse(firstLine) as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/items/42`);
  expect(res.status).toBe(200);
  const { traceId } = (await res.json()) as { traceId: string };
  child.kill('SIGTERM');
  await exited;
  const found = await traceWith(traceId, [`${service}:GET /items/:id`, `${service}:work`]);
  expect(found, stderr()).toBeDefined();
  return found?.spans ?? [];
}

const named = (spans: readonly TraceSpan[], name: string) => spans.find((s) => s.name === name);
const layerSpans = (spans: readonly TraceSpan[]) =>
  spans
    .filter((s) => s.tags['express.type'] !== undefined)
    .map((s) => `${s.tags['express.type']}: ${s.name}`)
    .sort();

describe('Express layers (MILVUS_OTEL_EXPRESS_LAYERS)', () => {
  it('none (the default): no layer spans; the route names the server span, the work hangs under it', async () => {
    const spans = await requestSpans({});
    const server = named(spans, 'GET /items/:id');
    expect(server?.tags['http.route']).toBe('/items/:id');
    expect(layerSpans(spans)).toEqual([]);
    expect(named(spans, 'work')?.parentId).toBe(server?.spanId);
    expect(spans).toHaveLength(2);
  });

  it('handlers: one span for the route handler, parent of the work', async () => {
    const spans = await requestSpans({ MILVUS_OTEL_EXPRESS_LAYERS: 'handlers' });
    const server = named(spans, 'GET /items/:id');
    expect(layerSpans(spans)).toEqual(['request_handler: request handler']);
    const handler = named(spans, 'request handler');
    expect(handler?.tags['http.route']).toBe('/items/:id');
    expect(handler?.parentId).toBe(server?.spanId);
    expect(named(spans, 'work')?.parentId).toBe(handler?.spanId);
  });

  it('all: middleware and router spans too', async () => {
    const spans = await requestSpans({ MILVUS_OTEL_EXPRESS_LAYERS: 'all' });
    expect(layerSpans(spans)).toEqual([
      'middleware: middleware - jsonParser',
      'request_handler: request handler',
      'router: router - /:id',
    ]);
    expect(named(spans, 'GET /items/:id')?.tags['http.route']).toBe('/items/:id');
  });
});
