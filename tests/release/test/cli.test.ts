/** The `milvus-otel` bin of @milvus-otel/deploy, installed from the registry, runs through npx. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inConsumer, release } from '../src/consumer.ts';
import { openTarball } from '../src/tarball.ts';

describe('npx milvus-otel', () => {
  it('--help lists the commands', async () => {
    const ran = await inConsumer('npx', ['--no-install', 'milvus-otel', '--help']);
    expect(ran.code, ran.describe).toBe(0);
    expect(ran.stdout).toMatch(/^Usage: milvus-otel/);
    for (const command of ['render', 'validate', 'doctor', 'verify', 'trace']) {
      expect(ran.stdout, ran.describe).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
  });

  it('render all --json: the deployment files, from the default config, offline', async () => {
    const ran = await inConsumer('npx', ['--no-install', 'milvus-otel', 'render', 'all', '--json']);
    expect(ran.code, ran.describe).toBe(0);
    const files = JSON.parse(ran.stdout) as { path: string; content: string }[];
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(file.content.length, file.path).toBeGreaterThan(0);
  });

  it('exits 1 on an unknown command, with the help', async () => {
    const ran = await inConsumer('npx', ['--no-install', 'milvus-otel', 'no-such-command']);
    expect(ran.code, ran.describe).toBe(1);
    expect(ran.stderr).toContain("unknown command 'no-such-command'");
  });

  it('is an executable script with a node shebang, linked into node_modules/.bin', () => {
    const { manifest, read } = openTarball(release().tarballs['@milvus-otel/deploy']);
    expect(manifest.bin).toEqual({ 'milvus-otel': './bin/milvus-otel.js' });
    expect(read('bin/milvus-otel.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(read('bin/milvus-otel.js')).toContain("import('../dist/cli.js')");
    const linked = readFileSync(join(release().consumerDir, 'node_modules/.bin/milvus-otel'), 'utf8');
    expect(linked.startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
