// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the targets file's own syntax, tested here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interpolate, parseVerifyTargets, VerifyTargetsError } from '../src/verify/targets.ts';
import { EXAMPLE_TARGETS_FILE, exampleTargets } from './example-targets.ts';
import { runCli } from './run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-targets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const target = (over: Record<string, unknown> = {}) => ({
  name: 'api',
  request: { url: 'http://127.0.0.1:3000/search' },
  expect: { entry: { kind: 'server' } },
  ...over,
});

/** The message of the error parseVerifyTargets throws for `input`. */
function problem(input: unknown, env: Record<string, string> = {}): string {
  try {
    parseVerifyTargets(input, { env, source: 'targets.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyTargetsError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('the targets file', () => {
  it('fills the defaults: GET, x-trace-id header, any 2xx, not serial; "/…/" strings are regexes', () => {
    const { targets } = parseVerifyTargets(
      {
        targets: [
          target({
            expect: {
              entry: { kind: 'server', name: '/^get\\b/i', tags: { 'http.route': '/search', any: true } },
            },
          }),
        ],
      },
      { env: {} },
    );
    expect(targets[0]).toMatchObject({
      request: { method: 'GET', headers: {} },
      traceId: { header: 'x-trace-id' },
      serial: false,
      expect: { entry: { kind: 'server', name: /^get\b/i, tags: { 'http.route': '/search', any: true } } },
    });
    expect(targets[0]?.status).toBeUndefined();
  });

  it('a bad field: the error names its path and what to write instead', () => {
    expect(
      problem({
        targets: [
          target({ request: { url: 'localhost:3000/search', method: 'GET /x' }, traceId: {} }),
          target({ expect: { entry: { kind: 'server', name: '/(/' } }, serial: 'yes' }),
        ],
      }),
    ).toBe(
      [
        'Invalid verify targets in targets.yaml (5):',
        '  - targets[0].request.method: an HTTP method such as GET or POST',
        '  - targets[0].request.url: expected an http(s) URL such as http://127.0.0.1:3000/search',
        '  - targets[0].traceId: give exactly one of header (a response header, e.g. x-trace-id) or json (a dot path into the JSON body, e.g. headers.x-trace-id)',
        '  - targets[1].serial: Invalid input: expected boolean, received string',
        '  - targets[1].expect.entry.name: "/(/" is not a valid regular expression (Invalid regular expression: /(/: Unterminated group); write "/…/" around a JavaScript regex, or no slashes for an exact match',
      ].join('\n'),
    );
    expect(problem({ targets: [target(), target({ expect: { entry: { name: 3 } } })] })).toBe(
      'Invalid verify targets in targets.yaml (1):\n  - targets[1].expect.entry.name: expected a string: the exact value, or "/…/" for a regular expression',
    );
    expect(problem({ targets: [target(), target()] })).toBe(
      'Invalid verify targets in targets.yaml (1):\n  - targets[1].name: "api" is the name of an earlier target too: names must be unique',
    );
  });

  it('unknown keys, a missing expectation and an empty list are named', () => {
    expect(problem({ targets: [{ ...target(), expected: {}, expect: undefined }] })).toBe(
      [
        'Invalid verify targets in targets.yaml (2):',
        '  - targets[0].expect: Invalid input: expected object, received undefined',
        '  - targets[0]: unknown key "expected"',
      ].join('\n'),
    );
    expect(problem({ targets: [] })).toBe(
      'Invalid verify targets in targets.yaml (1):\n  - targets: list at least one target',
    );
    expect(problem({ targets: [target({ expect: { entry: { kind: 'span' } } })] })).toContain(
      '  - targets[0].expect.entry.kind: Invalid option: expected one of "server"|"client"|"producer"|"consumer"|"internal"',
    );
  });

  it('${VAR:-default} in any string, nested; an unset variable without a default is an error naming the field', () => {
    const input = {
      jaegerUrl: '${JAEGER_QUERY_URL:-http://127.0.0.1:${JAEGER_QUERY_PORT:-16686}}',
      targets: [
        target({ request: { url: '${API_URL}/search', headers: { authorization: 'Bearer ${TOKEN:-}x' } } }),
      ],
    };
    const file = parseVerifyTargets(input, {
      env: { API_URL: 'http://api:8080', JAEGER_QUERY_PORT: '26686', TOKEN: '' },
    });
    expect(file.jaegerUrl).toBe('http://127.0.0.1:26686');
    expect(file.targets[0]?.request).toMatchObject({
      url: 'http://api:8080/search',
      headers: { authorization: 'Bearer x' },
    });
    expect(problem(input)).toBe(
      'Invalid verify targets in targets.yaml (1):\n  - targets[0].request.url: API_URL is not set: set it, or give a default: ${API_URL:-default}',
    );
    expect(interpolate('${A:-${B}', {})).toEqual({ problem: '${A:-… is not closed with "}"' });
    expect(interpolate('$HOME ${1}', {})).toEqual({
      problem: '"${" at 6 starts no variable: write ${NAME} or ${NAME:-default}',
    });
  });

  it("this repository's examples: their URLs follow EXPRESS_URL / LAMBDA_URL, else the stack's ports", () => {
    const byDefault = exampleTargets().targets;
    expect(byDefault.map((t) => [t.name, t.request.method, t.request.url, t.health?.url, t.serial])).toEqual([
      [
        'express',
        'GET',
        'http://127.0.0.1:3000/search?q=vector%20database%20tracing',
        'http://127.0.0.1:3000/healthz',
        false,
      ],
      ['worker', 'POST', 'http://127.0.0.1:3000/ingest', 'http://127.0.0.1:3000/healthz', false],
      [
        'serverless',
        'POST',
        'http://127.0.0.1:8080/2015-03-31/functions/function/invocations',
        'http://127.0.0.1:8080',
        true,
      ],
    ]);
    const ported = exampleTargets({ EXPRESS_PORT: '3100', LAMBDA_PORT: '8180', JAEGER_QUERY_PORT: '26686' });
    expect(ported.jaegerUrl).toBe('http://127.0.0.1:26686');
    expect(ported.targets.map((t) => new URL(t.request.url).port)).toEqual(['3100', '3100', '8180']);
    const pointed = exampleTargets({ EXPRESS_URL: 'http://express:1', LAMBDA_URL: 'http://lambda:2' });
    expect(pointed.targets.map((t) => new URL(t.request.url).host)).toEqual([
      'express:1',
      'express:1',
      'lambda:2',
    ]);
  });
});

describe('milvus-otel verify: its input', () => {
  it('a bad targets file: exit 1 before any request, every problem named by its field', async () => {
    const file = join(tmp, 'bad.yaml');
    writeFileSync(
      file,
      'targets:\n  - name: api\n    request: { url: "localhost:3000" }\n    expect: { entry: { kind: span } }\n',
    );
    const run = await runCli(['verify', '--targets', file, '--jaeger-url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `milvus-otel verify: Invalid verify targets in ${file} (2):\n` +
        '  - targets[0].request.url: expected an http(s) URL such as http://127.0.0.1:3000/search\n' +
        '  - targets[0].expect.entry.kind: Invalid option: expected one of "server"|"client"|"producer"|"consumer"|"internal"\n',
    );
  });

  it('--target must name a target of the file; no file at all says how to give one', async () => {
    const unknown = await runCli(['verify', '--targets', EXAMPLE_TARGETS_FILE, '--target', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`${EXAMPLE_TARGETS_FILE} has no target "nope"`);
    expect(unknown.stderr).toContain('fix: choose from express, worker, serverless');
    const none = await runCli(['verify'], { env: { MILVUS_OTEL_VERIFY_TARGETS: '' } });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'no targets: verify needs the requests to send and the trace each must give',
    );
    expect(none.stderr).toContain('fix: pass --targets <file>');
  });
});
