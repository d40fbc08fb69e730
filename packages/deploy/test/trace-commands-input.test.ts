// Bad input to the trace analysis commands, no stack needed: each gives one clear line (and its fix), exit 1, never
// a stack trace. Jaeger down is a port nothing listens on.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, runCli, STACK_LINE } from './run-cli.ts';

let closed: string;

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((r) => probe.close(r));
});

const ID = '0123456789abcdef0123456789abcdef';

describe('Jaeger down', () => {
  it.each([
    ['traces', ['traces', '--service', 'api']],
    ['trace', ['trace', ID]],
    ['trace --critical-path', ['trace', ID, '--critical-path']],
    ['trace diff', ['trace', 'diff', ID, ID]],
    ['deps', ['deps']],
  ])('%s: says Jaeger is not reachable at the URL and how to fix it', async (_name, args) => {
    await expectFailure(
      [...args, '--jaeger-url', closed],
      new RegExp(
        `^milvus-otel \\w+: Jaeger query API at ${closed} is not reachable \\(ECONNREFUSED\\): start the stack`,
      ),
    );
  });
});

describe('malformed input', () => {
  it.each([
    [
      ['trace', 'not-a-trace-id'],
      /^milvus-otel trace: "not-a-trace-id" is not a trace id: expected 1–32 hex digits\n {2}fix: /,
    ],
    [
      ['trace', '0'.repeat(32)],
      /is the all-zero trace id, which W3C Trace Context defines as invalid\n {2}fix: /,
    ],
    [['trace', 'diff', ID, 'xyz'], /^milvus-otel diff: "xyz" is not a trace id/],
    [
      ['traces', '--service', 'api', '--since', '15'],
      /--since must be a duration with its unit, such as 500us, 10ms/,
    ],
    [
      ['traces', '--service', 'api', '--min-duration', 'fast'],
      /--min-duration must be a duration with its unit/,
    ],
    [['traces', '--service', 'api', '--tag', 'db.collection.name'], /--tag must be key=value/],
    [['traces', '--service', 'api', '-n', '0'], /--limit must be a whole number ≥ 1/],
    [
      ['traces', '--service', 'api', '--min-duration', '2s', '--max-duration', '1s'],
      /^milvus-otel traces: --min-duration is longer than --max-duration\n {2}fix: swap them/,
    ],
    [['deps', '--format', 'png'], /Allowed choices are text, dot, mermaid/],
  ])('%j', async (args, message) => {
    const run = await runCli([...args, '--jaeger-url', closed]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_LINE);
  });
});
