/** `changeset version` (run in a temporary copy by src/global-setup.ts) turns the pending changesets into versions and changelogs. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, PUBLISHED } from '../src/paths.ts';
import { openTarball } from '../src/tarball.ts';

const ORDER = ['none', 'patch', 'minor', 'major'] as const;
type Bump = (typeof ORDER)[number];

function expectedBump(name: string): Bump {
  let bump: Bump = 'none';
  for (const { releases } of Object.values(release().changesets)) {
    const own = releases[name] as Bump | undefined;
    if (own && ORDER.indexOf(own) > ORDER.indexOf(bump)) bump = own;
  }
  return bump;
}

describe('changeset version', () => {
  it('has pending changesets, each naming only published packages', () => {
    const { changesets } = release();
    expect(Object.keys(changesets).length, 'no pending changeset: nothing to release').toBeGreaterThan(0);
    for (const [file, { releases, summary }] of Object.entries(changesets)) {
      for (const name of Object.keys(releases)) expect(PACKAGE_NAMES, `.changeset/${file}`).toContain(name);
      expect(summary.length, `.changeset/${file} has no summary`).toBeGreaterThan(20);
    }
  });

  it.each(PACKAGE_NAMES)('bumps %s by its largest pending changeset', (name) => {
    const { versionsBefore, versions } = release();
    const bump = expectedBump(name);
    if (bump === 'none') {
      // A package without a changeset moves only as a dependent (updateInternalDependencies: patch).
      expect([versionsBefore[name], semver.inc(versionsBefore[name], 'patch')]).toContain(versions[name]);
    } else {
      expect(versions[name]).toBe(semver.inc(versionsBefore[name], bump));
    }
  });

  it.each(PACKAGE_NAMES)('writes the CHANGELOG of %s with every changeset that names it', (name) => {
    const { copyDir, versions, changesets } = release();
    const file = join(copyDir, PUBLISHED[name], 'CHANGELOG.md');
    if (expectedBump(name) === 'none') return;
    expect(existsSync(file), `${PUBLISHED[name]}/CHANGELOG.md`).toBe(true);
    const changelog = readFileSync(file, 'utf8');
    expect(changelog.startsWith(`# ${name}\n`)).toBe(true);
    const section = changelog.split(/^## /m)[1] ?? '';
    expect(section.startsWith(`${versions[name]}\n`), `the newest section is ${versions[name]}`).toBe(true);
    for (const [changeset, { releases, summary }] of Object.entries(changesets)) {
      if (!releases[name]) continue;
      const heading = `### ${releases[name] === 'major' ? 'Major' : releases[name] === 'minor' ? 'Minor' : 'Patch'} Changes`;
      expect(section, `${changeset} under ${heading}`).toContain(heading);
      expect(section, `${changeset} in the changelog`).toContain((summary.split('\n')[0] as string).trim());
    }
  });

  it('consumes the pending changesets and keeps the .changeset folder', () => {
    const left = readdirSync(join(release().copyDir, '.changeset')).sort();
    expect(left).toEqual(['README.md', 'config.json']);
  });

  it('ran without warnings', () => {
    expect(release().logs.version).not.toMatch(/\b(warn|error)\b/i);
  });

  it.each(PACKAGE_NAMES)('published %s at the new version, as latest', async (name) => {
    const { versions, tarballs, registryUrl } = release();
    expect(openTarball(tarballs[name]).manifest.version).toBe(versions[name]);
    const packument = (await (await fetch(`${registryUrl}/${name.replace('/', '%2f')}`)).json()) as {
      'dist-tags': Record<string, string>;
    };
    expect(packument['dist-tags']).toEqual({ latest: versions[name] });
  });
});
