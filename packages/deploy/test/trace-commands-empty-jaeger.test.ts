// What the trace analysis commands say when Jaeger has nothing: a real, empty Jaeger (the stack's build on free
// ports) — one line and its fix, exit 1, never a stack trace.
import { type FreshJaeger, startFreshJaeger } from '@milvus-otel/stack/fresh-jaeger';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { expectFailure } from './run-cli.ts';

let jaeger: FreshJaeger;
let emptyUrl: string;
beforeAll(async () => {
  jaeger = await startFreshJaeger();
  emptyUrl = jaeger.url;
}, 120_000);
afterAll(() => jaeger?.stop());

const ID = '0123456789abcdef0123456789abcdef';

describe('an empty Jaeger', () => {
  it('traces: no service to search names the fix', async () => {
    await expectFailure(
      ['traces', '--service', 'api', '--jaeger-url', emptyUrl],
      /^milvus-otel traces: Jaeger at \S+ has no spans of service "api"\n {2}fix: Jaeger has no spans yet/,
    );
  });

  it('trace: an unknown id is not there, with how to find one', async () => {
    await expectFailure(
      ['trace', ID, '--timeout', '300', '--jaeger-url', emptyUrl],
      new RegExp(
        `^milvus-otel trace: trace ${ID} is not in Jaeger at \\S+ \\(waited 300 ms\\)\\n {2}fix: check the id`,
      ),
    );
  });

  it('deps: no calls between services yet', async () => {
    await expectFailure(
      ['deps', '--since', '15m', '--jaeger-url', emptyUrl],
      /^milvus-otel deps: Jaeger at \S+ has no calls between services in the last 15m\n {2}fix: send requests/,
    );
  });
});
