/**
 * A second, empty Jaeger: the stack's own build and config on free ports, with nothing in its memory store. For
 * tests of what tools say when Jaeger has no data (the stack's Jaeger always has Milvus's own spans).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { httpOk, waitReady } from './health.ts';
import { ensureJaeger } from './install.ts';
import { freePort } from './ports.ts';
import { loadSettings } from './settings.ts';

export interface FreshJaeger {
  /** Its query API, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its OTLP/HTTP receiver, `http://127.0.0.1:<port>`. */
  readonly otlpHttpUrl: string;
  stop(): Promise<void>;
}

export async function startFreshJaeger(): Promise<FreshJaeger> {
  const settings = loadSettings();
  const binary = await ensureJaeger(settings);
  const names = [
    'QUERY',
    'QUERY_GRPC',
    'HEALTH',
    'SAMPLING',
    'THRIFT_HTTP',
    'OTLP_GRPC',
    'OTLP_HTTP',
  ] as const;
  const ports = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()] as const)),
  ) as Record<(typeof names)[number], number>;
  const dir = mkdtempSync(join(tmpdir(), 'fresh-jaeger-'));
  const child = execa(binary, ['--config', join(settings.repoRoot, 'docker', 'jaeger', 'config.yaml')], {
    cwd: dir,
    env: {
      JAEGER_LISTEN_HOST: '127.0.0.1',
      JAEGER_QUERY_PORT: String(ports.QUERY),
      JAEGER_QUERY_GRPC_PORT: String(ports.QUERY_GRPC),
      JAEGER_HEALTH_PORT: String(ports.HEALTH),
      JAEGER_SAMPLING_PORT: String(ports.SAMPLING),
      JAEGER_THRIFT_HTTP_PORT: String(ports.THRIFT_HTTP),
      OTLP_GRPC_PORT: String(ports.OTLP_GRPC),
      OTLP_HTTP_PORT: String(ports.OTLP_HTTP),
    },
    all: true,
    reject: false,
  });
  let exited: number | undefined;
  void child.then((r) => {
    exited = r.exitCode ?? -1;
  });
  const url = `http://127.0.0.1:${ports.QUERY}`;
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    rmSync(dir, { recursive: true, force: true });
  };
  const notReady = await waitReady(
    `a fresh Jaeger at ${url}`,
    async () => ((await httpOk(`${url}/api/v3/services`)) ? undefined : 'query API not answering'),
    {
      timeoutMs: 60_000,
      abort: () => (exited !== undefined ? `Jaeger exited (${exited})` : undefined),
    },
  ).catch((error: Error) => error.message);
  if (notReady !== undefined) {
    await stop();
    throw new Error(`a fresh Jaeger did not start: ${notReady}\n${(await child).all ?? ''}`);
  }
  return { url, otlpHttpUrl: `http://127.0.0.1:${ports.OTLP_HTTP}`, stop };
}
