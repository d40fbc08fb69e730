import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InputError,
  MAX_INPUT_BYTES,
  MAX_YAML_ANCHORS,
  MAX_YAML_FLOW_DEPTH,
  parseYamlDocuments,
  readInputFile,
  readYamlFile,
  writeOutputFiles,
} from '../src/input.js';

const tmp = mkdtempSync(join(tmpdir(), 'milvus-otel-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

async function inputError(work: Promise<unknown>): Promise<InputError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('readInputFile', () => {
  it('reads a UTF-8 file, byte order mark dropped', async () => {
    expect(await readInputFile(file('ok.yaml', '\uFEFFtrace: {}\n'))).toBe('trace: {}\n');
  });

  it('reads exactly up to the limit, and refuses one byte more', async () => {
    expect(await readInputFile(file('at-limit', 'x'.repeat(1000)), 1000)).toHaveLength(1000);
    const over = await inputError(readInputFile(file('over-limit', 'x'.repeat(1001)), 1000));
    expect(over.message).toBe(`${join(tmp, 'over-limit')} is larger than 1000 bytes`);
    expect(MAX_INPUT_BYTES).toBe(4 * 1024 * 1024);
  });

  it('names what is wrong with every kind of path, with a fix', async () => {
    const fifo = join(tmp, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const loop = join(tmp, 'loop');
    symlinkSync(loop, loop);
    const toZero = join(tmp, 'to-zero');
    symlinkSync('/dev/zero', toZero);
    const cases: [string, string][] = [
      [join(tmp, 'missing'), `${join(tmp, 'missing')}: no such file`],
      [tmp, `${tmp} is a folder`],
      [fifo, `${fifo} is a FIFO (named pipe), not a regular file`],
      ['/dev/zero', '/dev/zero is a character device, not a regular file'],
      [toZero, `${toZero} is a character device, not a regular file`],
      [loop, `${loop}: too many symbolic links`],
      [
        join(file('plain', 'x'), 'below'),
        `${join(tmp, 'plain', 'below')}: a part of the path is a file, not a folder`,
      ],
      [file('binary', Buffer.from([0xc3, 0x28])), `${join(tmp, 'binary')} is not UTF-8 text`],
    ];
    for (const [path, message] of cases) {
      const error = await inputError(readInputFile(path));
      expect(error.message).toBe(message);
      expect(error.fix).toMatch(/\S/);
    }
  });

  it('reads files that report size 0 (/proc)', async () => {
    expect(await readInputFile('/proc/self/status')).toContain('Name:');
  });
});

describe('parseYamlDocuments and readYamlFile', () => {
  it('gives every document as plain values', () => {
    expect(parseYamlDocuments('a: 1\n---\n- x\n', 'f')).toEqual([{ a: 1 }, ['x']]);
    expect(parseYamlDocuments('', 'f')).toEqual([]);
  });

  it('syntax errors name the source, line and column', () => {
    expect(() => parseYamlDocuments('a: 1\nb: [\n', 'cfg.yaml')).toThrow(/^cfg\.yaml: line 3, column 1: /);
    expect(() => parseYamlDocuments('a: 1\na: 2\n', 'cfg.yaml')).toThrow(
      /^cfg\.yaml: line 2, column 1: Map keys must be unique/,
    );
  });

  it('aliases beyond the limit are an InputError, a few are fine', () => {
    const bomb = `a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n`;
    expect(() => parseYamlDocuments(bomb, 'bomb.yaml')).toThrow(
      'bomb.yaml: its YAML aliases expand too far (more than 100 copies: a "billion laughs" file?)',
    );
    expect(parseYamlDocuments('a: &a {x: 1}\nb: *a\nc: *a\n', 'f')).toEqual([
      { a: { x: 1 }, b: { x: 1 }, c: { x: 1 } },
    ]);
  });

  // The yaml library's own uniqueness check compares every key with every other: minutes for this map. The guard
  // against falling back to it is the test's timeout, far above the one-pass check's few seconds even on a busy
  // machine (a wall-clock assertion here failed a CI run at 10.15 s against 10 s while other suites ran).
  it('repeated keys are an error, found in one pass even in a map of 200 000 keys', {
    timeout: 60_000,
  }, () => {
    const keys = Array.from({ length: 200_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    expect(() => parseYamlDocuments(`${keys}\nk7: again\n`, 'big.yaml')).toThrow(
      'big.yaml: line 200001, column 1: Map keys must be unique',
    );
    expect(parseYamlDocuments(`${keys}\n`, 'big.yaml')).toHaveLength(1);
  });

  it('more anchors and aliases than MAX_YAML_ANCHORS are refused, naming the first one over', () => {
    const many = Array.from({ length: MAX_YAML_ANCHORS }, (_, i) => `- [&a${i} 1, *a${i}]`).join('\n');
    expect(() => parseYamlDocuments(many, 'many.yaml')).toThrow(
      `many.yaml: line ${MAX_YAML_ANCHORS / 2 + 1}, column 10: more than ${MAX_YAML_ANCHORS} YAML anchors and aliases`,
    );
    const allowed = Array.from({ length: MAX_YAML_ANCHORS / 2 }, (_, i) => `- [&a${i} 1, *a${i}]`).join('\n');
    expect(parseYamlDocuments(allowed, 'f')[0]).toHaveLength(MAX_YAML_ANCHORS / 2);
  });

  it('an alias without its anchor', () => {
    expect(() => parseYamlDocuments('a: *nope\n', 'f.yaml')).toThrow(
      'f.yaml: Unresolved alias (the anchor must be set before the alias): nope',
    );
  });

  it('nesting too deep to parse', () => {
    expect(() => parseYamlDocuments(`a:\n  b: ${'['.repeat(2_000_000)}`, 'deep.yaml')).toThrow(
      `deep.yaml: line 2, column ${6 + MAX_YAML_FLOW_DEPTH}: the YAML nests more than ${MAX_YAML_FLOW_DEPTH} levels deep`,
    );
    expect(
      parseYamlDocuments(`${'['.repeat(MAX_YAML_FLOW_DEPTH)}${']'.repeat(MAX_YAML_FLOW_DEPTH)}`, 'f'),
    ).toHaveLength(1);
    // Block nesting has no brackets to count: the parser's own limit, reported as such.
    const block = Array.from({ length: 2500 }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
    expect(() => parseYamlDocuments(block, 'block.yaml')).toThrow(
      /^block\.yaml: line \d+, column \d+: the YAML nests too deeply$/,
    );
  });

  it('a config file holds one document; an empty one is null', async () => {
    expect(await readYamlFile(file('one.yaml', 'milvus: { version: 2.4.0 }\n'))).toEqual({
      milvus: { version: '2.4.0' },
    });
    expect(await readYamlFile(file('empty.yaml', ''))).toBeNull();
    expect((await inputError(readYamlFile(file('two.yaml', 'a: 1\n---\nb: 2\n')))).message).toBe(
      `${join(tmp, 'two.yaml')} holds 2 YAML documents; a config is one`,
    );
  });
});

describe('writeOutputFiles', () => {
  const files = [
    { path: 'values.yaml', content: 'a: 1\n' },
    { path: 'jaeger/config.yaml', content: 'b: 2\n' },
  ];

  it('creates missing folders and writes every file', async () => {
    const out = join(tmp, 'out', 'deep');
    const written: string[] = [];
    await writeOutputFiles(out, files, (p) => written.push(p));
    expect(written).toEqual([join(out, 'values.yaml'), join(out, 'jaeger', 'config.yaml')]);
    expect(readFileSync(join(out, 'jaeger', 'config.yaml'), 'utf8')).toBe('b: 2\n');
    await writeOutputFiles(out, files); // again, over its own files
  });

  it('refuses a file where a folder should be, and a folder where a file should be', async () => {
    const plain = file('plain-out', 'x');
    expect((await inputError(writeOutputFiles(plain, files))).message).toBe(
      `${plain} is a file, not a folder`,
    );
    const clash = join(tmp, 'clash');
    await writeOutputFiles(clash, [{ path: 'values.yaml/x', content: '' }]);
    expect((await inputError(writeOutputFiles(clash, files))).message).toBe(
      `${join(clash, 'values.yaml')} is a folder`,
    );
  });

  it('refuses a FIFO where a file should go, without waiting for a reader', async () => {
    const out = join(tmp, 'fifo-out');
    await writeOutputFiles(out, [{ path: 'other', content: '' }]);
    execFileSync('mkfifo', [join(out, 'values.yaml')]);
    expect((await inputError(writeOutputFiles(out, files))).message).toBe(
      `${join(out, 'values.yaml')} is a FIFO (named pipe) or device, not a regular file`,
    );
  });

  it('a symbolic link to nothing where a folder should be', async () => {
    const dangling = join(tmp, 'dangling');
    symlinkSync(join(tmp, 'nothing-here'), dangling);
    expect((await inputError(writeOutputFiles(join(dangling, 'sub'), files))).message).toBe(
      `${dangling} exists but is not a folder (a broken symbolic link?)`,
    );
  });

  it('a folder the kernel will not create fails at once', async () => {
    expect((await inputError(writeOutputFiles('/proc/nope/deeper', files))).message).toMatch(
      /^cannot create the folder \/proc\/nope: /,
    );
  });
});
