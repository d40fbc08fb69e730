import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnv, fixture, runNode, startApp, traceWith, unique } from './helpers.ts';

describe('shutdown', () => {
  it('flushes on SIGTERM before the process ends, and ends it as SIGTERM would', async () => {
    const service = unique('sigterm');
    const { child, firstLine, exited } = await startApp(
      ['--import', '@milvus-otel/node/register', fixture('spans-then-wait.mjs')],
      appEnv(service, { OTEL_BSP_SCHEDULE_DELAY: '60000' }), // nothing would be exported on its own
    );
    const { traceId } = JSON.parse(firstLine) as { traceId: string };
    child.kill('SIGTERM');
    expect(await exited).toBe('SIGTERM');
    const trace = await traceWith(traceId, [`${service}:work before SIGTERM`, `${service}:step 4`], 10_000);
    expect(trace?.spans.filter((s) => s.service === service)).toHaveLength(6);
  });

  it('lets an app that handles SIGTERM itself drain: spans that end after the signal are exported too', async () => {
    const service = unique('drain');
    const child = spawn(
      process.execPath,
      ['--import', '@milvus-otel/node/register', fixture('graceful-drain.mjs')],
      {
        env: appEnv(service, { OTEL_BSP_SCHEDULE_DELAY: '60000' }), // only the flushes can export
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      },
    );
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    const line = await new Promise<string>((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
    const { traceIds } = JSON.parse(line) as { traceIds: [string, string] };
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, signal) => resolve([code, signal])),
    );
    child.kill('SIGTERM');
    expect(await exited).toEqual([0, null]);
    expect(stdout).toContain('drained');
    expect(
      await traceWith(traceIds[0], [`${service}:request finished before SIGTERM`], 10_000),
    ).toBeDefined();
    expect(await traceWith(traceIds[1], [`${service}:request in flight at SIGTERM`], 10_000)).toBeDefined();
  });

  it('flushes when the event loop runs dry (beforeExit), with a schedule delay longer than the run', async () => {
    const service = unique('beforeexit');
    const run = await runNode(
      [
        '--import',
        '@milvus-otel/node/register',
        '-e',
        'const s = require("@opentelemetry/api").trace.getTracer("x").startSpan("short job"); s.end(); console.log(s.spanContext().traceId)',
      ],
      appEnv(service, { OTEL_BSP_SCHEDULE_DELAY: '60000' }),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(await traceWith(run.stdout.trim(), [`${service}:short job`], 10_000)).toBeDefined();
  });
});

describe('a collector that is down or hangs', () => {
  let hanging: Server;
  let hangingPort = 0;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers.
    hanging = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    hangingPort = (hanging.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    hanging.close();
  });

  it.each([
    ['refused (nothing listens)', () => 'http://127.0.0.1:1'],
    ['hanging (accepts, never answers)', () => `http://127.0.0.1:${hangingPort}`],
  ])(
    '%s: never blocks the app, shuts down within the deadline, counts drops and warns once',
    async (_name, endpoint) => {
      const run = await runNode([fixture('collector-fault.mjs')], {
        ...appEnv(unique('fault')),
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint(),
        // A blocked event loop would stall for the whole export timeout: long enough to tell from scheduling noise on
        // a busy machine.
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BSP_MAX_QUEUE_SIZE: '1000',
        SHUTDOWN_MS: '2000',
      });
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim()) as {
        workMs: number;
        shutdownMs: number;
        maxDelayMs: number;
        dropped: number;
      };
      expect(result.shutdownMs).toBeLessThan(2500);
      expect(result.maxDelayMs).toBeLessThan(1000); // the loop kept turning while exports failed
      expect(result.dropped).toBeGreaterThan(0);
      expect(run.stderr.match(/@milvus-otel\/node: dropped/g)).toHaveLength(1);
    },
  );
});
