import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_EMULATOR } from '../src/lambda.ts';
import { freePort } from '../src/ports.ts';

const runtime = fileURLToPath(new URL('./fixtures/echo-runtime.mjs', import.meta.url));

describe('the stand-in Lambda Runtime API', () => {
  let emulator: ChildProcess;
  let url = '';
  let log = '';
  const invoke = async (event: unknown) => {
    const res = await fetch(`${url}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    const body = (await res.json()) as Record<string, unknown>;
    return { status: res.status, error: res.headers.get('x-amz-function-error'), body };
  };

  beforeAll(async () => {
    const [invokePort, apiPort] = await Promise.all([freePort(), freePort()]);
    url = `http://127.0.0.1:${invokePort}`;
    // The same command line as aws-lambda-rie: the bootstrap's last argument is the handler.
    emulator = spawn(
      process.execPath,
      [
        LAMBDA_EMULATOR,
        '--runtime-interface-emulator-address',
        `127.0.0.1:${invokePort}`,
        '--runtime-api-address',
        `127.0.0.1:${apiPort}`,
        process.execPath,
        runtime,
        'index.handler',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    emulator.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(url).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => {
    emulator?.kill('SIGTERM');
  });

  it('runs invocations through the runtime, one warm runtime for several', async () => {
    const first = await invoke({ n: 1 });
    const second = await invoke({ n: 2 });
    expect(first).toMatchObject({
      status: 200,
      error: null,
      body: { echo: { n: 1 }, handler: 'index.handler' },
    });
    expect(Number(first.body.deadline)).toBeGreaterThan(Date.now());
    expect(second.body).toMatchObject({ echo: { n: 2 }, pid: first.body.pid });
    // The init phase is reported once per runtime, as the RIE does (Lambda's Init Duration).
    expect(log.match(/INIT REPORT\(durationMs: [\d.]+/g)).toHaveLength(1);
  });

  it('returns a function error as the payload, marked unhandled', async () => {
    const res = await invoke({ fail: true });
    expect(res).toMatchObject({ status: 200, error: 'Unhandled', body: { errorMessage: 'asked to fail' } });
  });

  it('answers Runtime.ExitError when the runtime dies, and starts a fresh one for the next invocation', async () => {
    const { pid } = (await invoke({ n: 3 })).body as { pid: number };
    expect((await invoke({ exit: true })).body).toMatchObject({ errorType: 'Runtime.ExitError' });
    const after = await invoke({ n: 4 });
    expect(after.body).toMatchObject({ echo: { n: 4 } });
    expect(after.body.pid).not.toBe(pid);
  });

  it('answers the next invocation with Runtime.ExitError after the runtime is killed between invocations, as the RIE does', async () => {
    const { pid } = (await invoke({ n: 5 })).body as { pid: number };
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    expect((await invoke({ n: 6 })).body).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect((await invoke({ n: 7 })).body).toMatchObject({ echo: { n: 7 } });
  });
});
