import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The pending changesets in a .changeset folder: front matter (package → bump) and summary. */
export async function readChangesets(
  dir: string,
): Promise<Record<string, { releases: Record<string, string>; summary: string }>> {
  const result: Record<string, { releases: Record<string, string>; summary: string }> = {};
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const text = await readFile(join(dir, file), 'utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
    if (!match) throw new Error(`.changeset/${file} has no front matter`);
    const releases: Record<string, string> = {};
    for (const line of (match[1] as string).split(/\r?\n/)) {
      const entry = /^\s*['"]?([^'":]+)['"]?\s*:\s*(major|minor|patch|none)\s*$/.exec(line);
      if (entry) releases[entry[1] as string] = entry[2] as string;
      else if (line.trim())
        throw new Error(`.changeset/${file}: cannot read front matter line ${JSON.stringify(line)}`);
    }
    result[file] = { releases, summary: (match[2] as string).trim() };
  }
  return result;
}
