/**
 * publint on each published tarball, at its strictest (every suggestion reported, warnings count as errors).
 * Allowed, with the reason:
 */

import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, type PackageName } from '../src/paths.ts';
import { openTarball } from '../src/tarball.ts';

const ALLOWED: Partial<Record<PackageName, Record<string, string>>> = {
  '@milvus-otel/node': {
    // Wrong here: `./register` is nothing but side effects (it starts tracing), and register() is meant to run once
    // at start-up, never tree-shaken; the package is for Node.js apps, not browser bundles.
    USE_SIDE_EFFECTS:
      'the ./register entry is all side effects; "sideEffects": false would let a bundler drop it',
  },
  '@milvus-otel/deploy': {
    USE_SIDE_EFFECTS:
      'a CLI and deployment-file library for Node.js, not meant for bundles; nothing to tree-shake',
  },
};

describe.each(PACKAGE_NAMES)('publint %s', (name) => {
  it('finds nothing but the allowed suggestions', async () => {
    const { bytes } = openTarball(release().tarballs[name]);
    const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
    const allowed = ALLOWED[name] ?? {};
    const found = messages
      .filter((m) => !(m.type === 'suggestion' && m.code in allowed))
      .map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg) ?? ''}`);
    expect(found).toEqual([]);
  });
});
