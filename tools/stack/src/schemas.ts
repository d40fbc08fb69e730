import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Compose Specification's JSON schema, as shipped in the compose-spec/compose-go Go module (the library
 * `docker compose` itself validates with), fetched through the Go module proxy at a pinned version.
 */
export function composeSpecSchema(version = 'v2.16.2'): object {
  const out = execFileSync(
    'go',
    ['mod', 'download', '-json', `github.com/compose-spec/compose-go/v2@${version}`],
    {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off' },
    },
  );
  const dir = (JSON.parse(out) as { Dir: string }).Dir;
  return JSON.parse(readFileSync(join(dir, 'schema', 'compose-spec.json'), 'utf8')) as object;
}
