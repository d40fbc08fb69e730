import { constants, type Stats } from 'node:fs';
import { type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { RenderedFile } from './files.js';

/** Larger inputs are refused: settings files are a few KiB, and reading must end even on an endless file. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
/**
 * How far YAML aliases may expand (the `yaml` library's `maxAliasCount`): enough for anchors in hand-written files,
 * far too little for a "billion laughs" file that expands a few lines into gigabytes.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/** A file the user named cannot be used; the message names it and says what is wrong, `fix` what to do. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

// O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused right after). Not defined on Windows.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NONBLOCK ?? 0);

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function systemError(path: string, error: unknown, doing: 'read' | 'write'): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new InputError(
        `${path}: no such file`,
        `check the path (a relative path starts in ${process.cwd()})`,
      );
    case 'EISDIR':
      return new InputError(
        `${path} is a folder`,
        doing === 'read' ? 'give the path of a file' : 'remove it, or choose another output path',
      );
    case 'ENOTDIR':
      return new InputError(`${path}: a part of the path is a file, not a folder`, 'check the path');
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new InputError(
        `${path} cannot be ${doing === 'read' ? 'read' : 'written'}: permission denied`,
        doing === 'read' ? 'make it readable for this user' : 'choose a folder this user may write to',
      );
    case 'ELOOP':
      return new InputError(`${path}: too many symbolic links`, 'check the links in the path');
    case 'ENXIO':
      return new InputError(
        `${path} is a FIFO (named pipe) or device, not a regular file`,
        'write to a regular file',
      );
    case 'ENAMETOOLONG':
      return new InputError(`${path}: the path is too long`, 'use a shorter path');
    default:
      return new InputError(
        `${path} cannot be ${doing === 'read' ? 'read' : 'written'} (${code ?? (error as Error).message})`,
        'check the path and its permissions',
      );
  }
}

/**
 * Reads a text file the user named: a regular file of at most `maxBytes`, UTF-8. Everything else — missing, a
 * folder, a FIFO or device (`/dev/zero` would never end), too large, unreadable, not text — is an InputError that
 * names the file. The type is checked on the opened file, so what is checked is what is read.
 */
export async function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Promise<string> {
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    throw systemError(path, error, 'read');
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw stats.isDirectory()
        ? new InputError(`${path} is a folder`, 'give the path of a file')
        : new InputError(
            `${path} is ${kindOf(stats)}, not a regular file`,
            'save the content to a file and pass that',
          );
    }
    // Read in chunks up to one byte past the limit: the size in `stats` may be wrong (files in /proc say 0).
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > maxBytes) {
        throw new InputError(
          `${path} is larger than ${formatBytes(maxBytes)}`,
          'pass the settings file itself; settings files are a few KiB',
        );
      }
    }
    try {
      // fatal: bytes that are not UTF-8 are an error rather than silently replaced; a byte order mark is dropped.
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
    } catch {
      throw new InputError(`${path} is not UTF-8 text`, 'pass a YAML or JSON file saved as UTF-8');
    }
  } catch (error) {
    throw error instanceof InputError ? error : systemError(path, error, 'read');
  } finally {
    await handle.close();
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** YAML that cannot be used; `problem` says why without naming the source (`line 2, column 1: …`). */
export class YamlError extends InputError {
  override name = 'YamlError';
  constructor(
    source: string,
    readonly problem: string,
    fix: string,
  ) {
    super(`${source}: ${problem}`, fix);
  }
}

/** Deeper flow nesting (`[[[…`) is refused before parsing: the parser would overflow its stack, slowly. */
export const MAX_YAML_FLOW_DEPTH = 256;
/**
 * Anchors and aliases a document may hold. Each alias is resolved by a search through the document's anchors and
 * aliases, so their number must stay small for parsing to stay fast; hand-written files use a handful.
 */
export const MAX_YAML_ANCHORS = 200;

/**
 * Parses every YAML (or JSON) document in `text` to plain values. Syntax errors and repeated keys (with line and
 * column), aliases that expand beyond MAX_YAML_ALIAS_COUNT, more than MAX_YAML_ANCHORS anchors and aliases, and
 * nesting too deep to parse are YamlErrors naming `source`. Time and memory stay linear in the size of `text`.
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  const lineCounter = new LineCounter();
  const where = (offset: number | undefined) => {
    if (offset === undefined) return '';
    const at = lineCounter.linePos(offset);
    return `line ${at.line}, column ${at.col}: `;
  };
  const tooDeep = flowTooDeep(text);
  if (tooDeep !== undefined) {
    const line = text.slice(0, tooDeep).split('\n').length;
    const col = tooDeep - text.lastIndexOf('\n', tooDeep - 1);
    throw new YamlError(
      source,
      `line ${line}, column ${col}: the YAML nests more than ${MAX_YAML_FLOW_DEPTH} levels deep`,
      'flatten the nesting',
    );
  }
  // uniqueKeys off: the parser's own check compares every key with every other (minutes for a large map);
  // checkDocument does it in one pass.
  const docs = parseAllDocuments(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
    logLevel: 'error',
  });
  const error = docs.flatMap((d) => d.errors)[0];
  if (error) {
    // The parser reports a stack overflow on deep nesting as a syntax error; say what it means.
    if (/call stack/i.test(error.message))
      throw new YamlError(source, `${where(error.pos[0])}the YAML nests too deeply`, 'flatten the nesting');
    throw new YamlError(
      source,
      `${where(error.pos[0])}${error.message.split('\n')[0]}`,
      'correct the YAML there',
    );
  }
  return docs.map((doc) => {
    checkDocument(doc.contents, source, where);
    try {
      return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT }) as unknown;
    } catch (e) {
      if (e instanceof ReferenceError && /excessive alias count/i.test(e.message)) {
        throw new YamlError(
          source,
          `its YAML aliases expand too far (more than ${MAX_YAML_ALIAS_COUNT} copies: a "billion laughs" file?)`,
          'write the repeated values out instead of nesting aliases',
        );
      }
      if (e instanceof ReferenceError)
        throw new YamlError(source, e.message, 'define each anchor (&name) before its aliases (*name)');
      if (e instanceof RangeError)
        throw new YamlError(source, 'the YAML nests too deeply', 'flatten the nesting');
      throw e;
    }
  });
}

/** The offset where flow collections (`[`, `{`) nest deeper than MAX_YAML_FLOW_DEPTH, if they do. */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_YAML_FLOW_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return undefined;
}

/** One pass, without recursion, over a parsed document: repeated map keys, and how many anchors and aliases. */
function checkDocument(contents: unknown, source: string, where: (offset: number | undefined) => string) {
  let anchors = 0;
  const stack: unknown[] = [contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node) || (isNode(node) && node.anchor)) {
      if (++anchors > MAX_YAML_ANCHORS) {
        throw new YamlError(
          source,
          `${where(node.range?.[0])}more than ${MAX_YAML_ANCHORS} YAML anchors and aliases`,
          'write the values out instead of using so many anchors',
        );
      }
    }
    if (isMap(node)) {
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          if (keys.has(pair.key.value))
            throw new YamlError(
              source,
              `${where(pair.key.range?.[0])}Map keys must be unique`,
              'remove or rename the repeated key',
            );
          keys.add(pair.key.value);
        }
      }
      // Pushed last to first, so the walk meets the nodes in document order (a message names the first one).
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (isPair(node)) {
      stack.push(node.value, node.key);
    }
  }
}

/** Reads a file holding one YAML or JSON document (a deploy config), with readInputFile's limits. */
export async function readYamlFile(path: string): Promise<unknown> {
  const docs = parseYamlDocuments(await readInputFile(path), path);
  if (docs.length > 1) {
    throw new InputError(
      `${path} holds ${docs.length} YAML documents; a config is one`,
      'remove the --- separators, or split the file',
    );
  }
  return docs[0] ?? null;
}

/**
 * Creates `dir` and its missing parents, one level at a time: Node's recursive mkdir retries forever where the
 * kernel refuses a folder under one that exists (`/proc/x`); here that fails at once, naming the folder.
 */
async function ensureDir(dir: string): Promise<void> {
  let stats: Stats | undefined;
  try {
    stats = await stat(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw systemError(dir, error, 'write');
  }
  if (stats?.isDirectory()) return;
  if (stats) {
    throw new InputError(
      `${dir} is ${stats.isFile() ? 'a file' : kindOf(stats)}, not a folder`,
      'write under a folder, or a path where one can be created',
    );
  }
  const parent = dirname(dir);
  if (parent !== dir) await ensureDir(parent);
  try {
    await mkdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // Made meanwhile by someone else, or a symbolic link to nothing (stat said missing, mkdir says there).
      if ((await stat(dir).catch(() => undefined))?.isDirectory()) return;
      throw new InputError(
        `${dir} exists but is not a folder (a broken symbolic link?)`,
        'remove it, or write under another folder',
      );
    }
    const reason =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'permission denied'
        : `the file system refuses it (${code ?? (error as Error).message})`;
    throw new InputError(
      `cannot create the folder ${dir}: ${reason}`,
      'write under a folder you may write to',
    );
  }
}

/**
 * Writes rendered files under `outDir`, creating folders as needed. A path that is a folder, FIFO or device where
 * a file should go, or a folder that cannot be created, is an InputError; nothing ever waits on a FIFO.
 */
export async function writeOutputFiles(
  outDir: string,
  files: readonly RenderedFile[],
  onWrite: (path: string) => void = () => {},
): Promise<void> {
  const root = resolve(outDir);
  for (const file of files) {
    const path = join(root, file.path);
    await ensureDir(dirname(path));
    let handle: FileHandle;
    try {
      handle = await open(path, WRITE_FLAGS, 0o644);
    } catch (error) {
      throw systemError(path, error, 'write');
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile())
        throw new InputError(
          `${path} is ${kindOf(stats)}, not a regular file`,
          'remove it, or choose another output path',
        );
      await handle.writeFile(file.content);
    } catch (error) {
      throw error instanceof InputError ? error : systemError(path, error, 'write');
    } finally {
      await handle.close();
    }
    onWrite(path);
  }
}

/** Writes one file (an HTML page, say), creating its folder; the same checks as writeOutputFiles. */
export async function writeTextFile(path: string, content: string): Promise<void> {
  const full = resolve(path);
  await writeOutputFiles(dirname(full), [{ path: basename(full), content }]);
}
