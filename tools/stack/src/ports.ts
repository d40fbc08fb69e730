import { createServer } from 'node:net';
import { execa } from 'execa';
import type { PortSpec } from './settings.ts';

/** True when nothing listens on 127.0.0.1:port (we can bind it ourselves). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Best effort: the process listening on a port, from `ss` (iproute2), for a more useful message. */
export async function portHolder(port: number): Promise<string | undefined> {
  try {
    const { stdout } = await execa('ss', ['-Hltnp', `sport = :${port}`], { reject: false, timeout: 2000 });
    return /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout)?.slice(1, 3).join(' pid ');
  } catch {
    return undefined;
  }
}

/** Every port in `specs` that is taken, as one line per port that names the override variable. */
export async function takenPorts(specs: readonly PortSpec[]): Promise<string[]> {
  const problems: string[] = [];
  for (const spec of specs) {
    if (await portFree(spec.port)) continue;
    const holder = await portHolder(spec.port);
    problems.push(
      `port ${spec.port} (${spec.what}) is already in use${holder ? ` by ${holder}` : ''}: stop that process or set ${spec.env} to a free port`,
    );
  }
  return problems;
}

/** A port nothing listens on right now (the kernel's pick), for tests and benchmarks that start servers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
