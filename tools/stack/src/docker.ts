import { join } from 'node:path';
import { execa } from 'execa';
import { StackError } from './log.ts';
import type { StackSettings } from './settings.ts';

/** True when a Docker engine answers (the client alone is not enough) and `docker compose` is available. */
export async function dockerAvailable(): Promise<boolean> {
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    timeout: 8000,
  });
  if (info.exitCode !== 0 || !info.stdout.trim()) return false;
  const compose = await execa('docker', ['compose', 'version'], { reject: false, timeout: 8000 });
  return compose.exitCode === 0;
}

function composeArgs(settings: StackSettings, ...args: string[]): string[] {
  return [
    'compose',
    '--project-name',
    'milvus-otel',
    '-f',
    join(settings.repoRoot, 'docker', 'compose.yaml'),
    ...args,
  ];
}

function composeEnv(settings: StackSettings): Record<string, string> {
  return Object.fromEntries(Object.values(settings.ports).map((spec) => [spec.env, String(spec.port)]));
}

/** `docker compose up --wait`: returns once every service's health check passes. */
export async function dockerStart(settings: StackSettings): Promise<void> {
  const result = await execa(
    'docker',
    composeArgs(settings, 'up', '--detach', '--wait', '--wait-timeout', '300'),
    {
      env: composeEnv(settings),
      stdio: 'inherit',
      reject: false,
    },
  );
  if (result.exitCode !== 0) {
    throw new StackError(
      `docker compose up failed (exit ${result.exitCode}); see the output above, or run: docker compose -p milvus-otel logs`,
    );
  }
}

export async function dockerStop(settings: StackSettings): Promise<void> {
  await execa('docker', composeArgs(settings, 'down', '--timeout', '30'), {
    env: composeEnv(settings),
    stdio: 'inherit',
    reject: false,
  });
}

/** Names of the compose services that are running (empty when the project is not up). */
export async function dockerRunning(settings: StackSettings): Promise<string[]> {
  const result = await execa('docker', composeArgs(settings, 'ps', '--services', '--status', 'running'), {
    env: composeEnv(settings),
    reject: false,
    timeout: 15_000,
  });
  return result.exitCode === 0 ? result.stdout.split('\n').filter(Boolean) : [];
}
