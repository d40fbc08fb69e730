import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishBuild } from '../src/install.ts';

describe('publishBuild: two installs building the same version side by side', () => {
  let dir: string;
  const built = (name: string, content: string) => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'tool'), content);
    return join(dir, name);
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'publish-build-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the first finished build into place', () => {
    publishBuild(built('bin.partial.1', 'one'), join(dir, 'bin'), join(dir, 'bin', 'tool'));
    expect(readFileSync(join(dir, 'bin', 'tool'), 'utf8')).toBe('one');
    expect(existsSync(join(dir, 'bin.partial.1'))).toBe(false);
  });

  it('keeps the published build when a second one finishes later', () => {
    publishBuild(built('bin.partial.1', 'one'), join(dir, 'bin'), join(dir, 'bin', 'tool'));
    publishBuild(built('bin.partial.2', 'two'), join(dir, 'bin'), join(dir, 'bin', 'tool'));
    expect(readFileSync(join(dir, 'bin', 'tool'), 'utf8')).toBe('one');
  });

  it('replaces a leftover folder that has no binary', () => {
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'half-written'), '');
    publishBuild(built('bin.partial.3', 'three'), join(dir, 'bin'), join(dir, 'bin', 'tool'));
    expect(readFileSync(join(dir, 'bin', 'tool'), 'utf8')).toBe('three');
    expect(existsSync(join(dir, 'bin', 'half-written'))).toBe(false);
  });
});
