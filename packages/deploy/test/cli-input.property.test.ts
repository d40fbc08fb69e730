// Properties of every file the CLI reads (validate <file>, render -c <file>) and writes (render -o <dir>), checked
// on the built CLI in its own process: whatever the file holds or is, the command ends within its time, and a bad
// input gives a non-zero exit and a message that names the command — never a stack trace.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type CliRun, runCli, STACK_LINE } from './run-cli.js';

// Fixed seed, bounded runs: the same cases every time; on failure fast-check prints the seed and the counterexample.
const SEED = 20_261_202;
/** Per CLI run: far above what a run takes (well under a second), far below "hangs". */
const RUN_TIMEOUT_MS = 15_000;

const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-cli-props-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let count = 0;
const write = (content: string | Uint8Array) => {
  const path = join(tmp, `input-${++count}.yaml`);
  writeFileSync(path, content);
  return path;
};

type Command = 'validate' | 'render';
const argsFor = (command: Command, path: string) =>
  command === 'validate' ? ['validate', path] : ['render', 'milvus-config', '-c', path];

/** Ended in time, no stack trace, and a failure is said in the command's own words. */
function expectHandled(run: CliRun, command: Command) {
  expect(run.timedOut, 'the command did not end in time').toBe(false);
  expect(run.code).not.toBeNull();
  expect(run.stdout).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toContain('unexpected error');
  if (run.code !== 0) {
    expect(run.code).toBe(1);
    const reported = command === 'validate' && run.stderr === '' && run.stdout.startsWith('✗ ');
    if (!reported) expect(run.stderr.startsWith(`milvus-otel ${command}: `), run.stderr).toBe(true);
  }
}

/** A file that cannot be read: exit 1 with `milvus-otel <command>: <what>` and one fix line. */
function expectRefused(run: CliRun, command: Command, message: string) {
  expectHandled(run, command);
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toContain(message);
  expect(lines[1]).toMatch(/^ {2}fix: \S/);
}

const both = (path: string) =>
  Promise.all(
    (['validate', 'render'] as const).map(
      async (c) => [c, await runCli(argsFor(c, path), { timeoutMs: RUN_TIMEOUT_MS })] as const,
    ),
  );

/** Text built from YAML's own punctuation and this project's keys: it parses sometimes, and breaks in many ways. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\n',
        '  ',
        '    ',
        '\t',
        '- ',
        ': ',
        '? ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '"',
        "'",
        '#',
        '|',
        '>',
        '&a ',
        '*a',
        '&b ',
        '*b',
        '<<: *a',
        '!!str ',
        '!!binary ',
        '!custom ',
        '---\n',
        '...\n',
        '%YAML 1.2\n',
        'trace:',
        'exporter: otlp',
        'exporter: jaeger',
        'otlp:',
        'endpoint: jaeger:4317',
        'secure: false',
        'sampleFraction: 2',
        'milvus:',
        'version: 2.4.0',
        'version: banana',
        'jaeger:',
        'settings:',
        'apps:',
        'extraConfigFiles:',
        'user.yaml: |',
        'kind: Milvus',
        'apiVersion: milvus.io/v1beta1',
        'spec:',
        'config:',
        'image:',
        'tag: v2.3.5',
        '~',
        'null',
        '1e400',
        '0x1F',
        '\uFEFF',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

/** Nested aliases, `width` per level, `depth` levels deep: `width^depth` copies once expanded. */
const aliasBomb = fc
  .record({
    width: fc.integer({ min: 4, max: 12 }),
    depth: fc.integer({ min: 4, max: 9 }),
    at: fc.constantFrom('trace', 'milvus', 'extraConfigFiles', 'spec'),
  })
  .map(({ width, depth, at }) => {
    const levels = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let i = 1; i <= depth; i++)
      levels.push(
        `l${i}: &l${i} [${Array(width)
          .fill(`*l${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = `${levels.join('\n')}\n`;
    const top = `*l${depth}`;
    if (at === 'extraConfigFiles') {
      const inner = `${bomb}trace: ${top}\n`.replace(/^/gm, '    ');
      return { text: `extraConfigFiles:\n  user.yaml: |\n${inner}`, at };
    }
    if (at === 'spec')
      return { text: `${bomb}apiVersion: milvus.io/v1beta1\nkind: Milvus\nspec: ${top}\n`, at };
    return { text: `${bomb}${at}: ${top}\n`, at };
  });

describe('CLI file inputs (properties, on the built CLI)', () => {
  it('random bytes: handled, in time', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        for (const [command, run] of await both(write(bytes))) expectHandled(run, command);
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it('YAML-ish text: handled, in time', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        for (const [command, run] of await both(write(text))) expectHandled(run, command);
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('any JSON value as the deploy config: rendered, or one config error', { timeout: 240_000 }, async () => {
    const config = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ milvus: fc.jsonValue({ maxDepth: 3 }) }),
      fc.record({
        milvus: fc.record({ version: fc.jsonValue({ maxDepth: 1 }), trace: fc.jsonValue({ maxDepth: 3 }) }),
      }),
      fc.record({ jaeger: fc.record({ settings: fc.jsonValue({ maxDepth: 3 }) }) }),
    );
    await fc.assert(
      fc.asyncProperty(config, fc.boolean(), async (value, asJson) => {
        const path = write(asJson ? JSON.stringify(value) : stringify(value));
        expectHandled(await runCli(argsFor('render', path), { timeoutMs: RUN_TIMEOUT_MS }), 'render');
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('alias bombs, wherever they sit: refused quickly with the reason', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(aliasBomb, async ({ text, at }) => {
        for (const [command, run] of await both(write(text))) {
          expectHandled(run, command);
          expect(run.code).toBe(1);
          // A deploy config has no extraConfigFiles: render refuses the key and never parses the string in it.
          if (command === 'validate' || at !== 'extraConfigFiles')
            expect(`${run.stdout}${run.stderr}`).toContain('its YAML aliases expand too far');
        }
      }),
      { seed: SEED, numRuns: 15 },
    );
  });

  it('inputs over 4 MiB: refused without parsing them', { timeout: 240_000 }, async () => {
    const limit = 4 * 1024 * 1024;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 * 1024 * 1024 }),
        fc.constantFrom('a: b\n', '[', '- ', 'x'),
        async (extra, unit) => {
          const path = write(unit.repeat(Math.ceil((limit + extra) / unit.length)));
          for (const [command, run] of await both(path))
            expectRefused(run, command, `${path} is larger than 4 MiB`);
        },
      ),
      { seed: SEED, numRuns: 4 },
    );
  });

  it('deep nesting just under the limit: handled, in time', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 * 1024 * 1024 - 2 }), async (depth) => {
        const path = write(`${'['.repeat(depth)}${']'.repeat(depth)}`);
        for (const [command, run] of await both(path)) {
          expectHandled(run, command);
          expect(run.code).toBe(1);
        }
      }),
      { seed: SEED, numRuns: 3 },
    );
  });

  it('large YAML just under the limit (maps, lists, anchors, strings): handled, in time', {
    timeout: 240_000,
  }, async () => {
    const limit = 4 * 1024 * 1024 - 64;
    const shapes = {
      keys: (i: number) => `k${i}: ${i}\n`,
      flowKeys: (i: number) => `${i === 0 ? '{' : ','}k${i}: ${i}`,
      items: (i: number) => `- ${i}\n`,
      anchors: (i: number) => `- [&a${i} 1, *a${i}]\n`,
      nested: (i: number) => `${' '.repeat(i % 2000)}k${i}:\n`,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(shapes) as (keyof typeof shapes)[])),
        async (shape) => {
          let text = '';
          for (let i = 0; text.length < limit - 100; i++) text += shapes[shape](i);
          for (const [command, run] of await both(write(text))) expectHandled(run, command);
        },
      ),
      { seed: SEED, numRuns: 5 },
    );
  });

  it('paths that are no regular file: refused at once, named, with a fix', { timeout: 240_000 }, async () => {
    const fifo = join(tmp, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const folder = join(tmp, 'folder.yaml');
    mkdirSync(folder);
    const toZero = join(tmp, 'to-zero.yaml');
    symlinkSync('/dev/zero', toZero);
    const loop = join(tmp, 'loop.yaml');
    symlinkSync(loop, loop);
    const plain = write('trace: {}\n');
    const missing = join(tmp, 'missing.yaml');
    const below = join(plain, 'below.yaml');
    const paths: [path: string, message: string][] = [
      [missing, `${missing}: no such file`],
      [folder, `${folder} is a folder`],
      [fifo, `${fifo} is a FIFO (named pipe), not a regular file`],
      ['/dev/zero', '/dev/zero is a character device, not a regular file'],
      ['/dev/null', '/dev/null is a character device, not a regular file'],
      [toZero, `${toZero} is a character device, not a regular file`],
      [loop, `${loop}: too many symbolic links`],
      [below, `${below}: a part of the path is a file`],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.constantFrom<Command>('validate', 'render'),
        async ([path, message], command) => {
          const run = await runCli(argsFor(command, path), { timeoutMs: RUN_TIMEOUT_MS });
          expectRefused(run, command, message);
        },
      ),
      { seed: SEED, numRuns: 24 },
    );
  });

  it('render -o at paths that cannot be a folder: refused at once, named, with a fix', {
    timeout: 240_000,
  }, async () => {
    const plain = write('x');
    const fifoDir = join(tmp, 'fifo-out');
    mkdirSync(fifoDir);
    execFileSync('mkfifo', [join(fifoDir, 'user.yaml')]);
    const outs: [string, string][] = [
      [plain, `${plain} is a file, not a folder`],
      [join(plain, 'sub'), 'a part of the path is a file, not a folder'],
      ['/dev/null', '/dev/null is a character device, not a folder'],
      ['/proc/nope', 'cannot create the folder /proc/nope'],
      [fifoDir, `${join(fifoDir, 'user.yaml')} is a FIFO`],
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...outs), async ([out, message]) => {
        const run = await runCli(['render', 'milvus-config', '-o', out], { timeoutMs: RUN_TIMEOUT_MS });
        expectHandled(run, 'render');
        expect(run.code).toBe(1);
        expect(run.stderr).toContain(message);
      }),
      { seed: SEED, numRuns: 10 },
    );
  });
});
