import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerAvailable, dockerRunning, dockerStart, dockerStop } from './docker.ts';
import { log } from './log.ts';
import { nativeStart, nativeStatus, nativeStop, type ServiceStatus } from './native.ts';
import { clientEnv, type StackSettings } from './settings.ts';

export type Backend = 'docker' | 'native';

const modeFile = (settings: StackSettings) => join(settings.stateDir, 'backend');

/** The backend a running stack was started with, if any. */
export function recordedBackend(settings: StackSettings): Backend | undefined {
  if (!existsSync(modeFile(settings))) return undefined;
  const value = readFileSync(modeFile(settings), 'utf8').trim();
  return value === 'docker' || value === 'native' ? value : undefined;
}

export async function chooseBackend(settings: StackSettings): Promise<{ backend: Backend; why: string }> {
  if (settings.mode !== 'auto') return { backend: settings.mode, why: `MILVUS_OTEL_STACK=${settings.mode}` };
  if (await dockerAvailable()) return { backend: 'docker', why: 'a Docker engine answered' };
  return { backend: 'native', why: 'no working Docker engine, so native processes' };
}

export interface StackStatus {
  backend: Backend | undefined;
  running: boolean;
  services: ServiceStatus[] | { name: string; running: boolean }[];
}

export async function status(settings: StackSettings): Promise<StackStatus> {
  if (recordedBackend(settings) === 'docker') {
    const names = await dockerRunning(settings);
    return {
      backend: 'docker',
      running: names.length > 0,
      services: names.map((name) => ({ name, running: true })),
    };
  }
  const services = await nativeStatus(settings);
  const running = services.some((s) => s.pid !== undefined);
  return { backend: running ? 'native' : undefined, running, services };
}

/** True when every service of the stack is up and healthy. */
export async function isUp(settings: StackSettings, known?: StackStatus): Promise<boolean> {
  const current = known ?? (await status(settings));
  if (current.backend === 'docker') return current.services.length >= 4;
  return (current.services as ServiceStatus[]).every((s) => s.healthy);
}

/** Starts the stack if needed. Returns whether this call started anything. */
export async function start(
  settings: StackSettings,
  forced?: Backend,
): Promise<{ started: boolean; backend: Backend }> {
  const current = await status(settings);
  if (current.running && current.backend) {
    const allUp = await isUp(settings, current);
    if (allUp) {
      log.ok(`stack already running (${current.backend}) — nothing to do`);
      return { started: false, backend: current.backend };
    }
  }
  const { backend, why } = forced
    ? { backend: forced, why: 'chosen on the command line' }
    : current.backend
      ? { backend: current.backend, why: 'completing the stack that is partly running' }
      : await chooseBackend(settings);
  log.step(`starting the local stack: ${backend} (${why})`);
  mkdirSync(settings.stateDir, { recursive: true });
  writeFileSync(modeFile(settings), `${backend}\n`);
  try {
    if (backend === 'docker') await dockerStart(settings);
    else await nativeStart(settings);
  } catch (error) {
    if (!(await status(settings)).running) rmSync(modeFile(settings), { force: true });
    throw error;
  }
  printEndpoints(settings, backend);
  return { started: true, backend };
}

export async function stop(settings: StackSettings): Promise<void> {
  const backend = recordedBackend(settings) ?? 'native';
  log.step(`stopping the local stack (${backend})`);
  if (backend === 'docker') {
    await dockerStop(settings);
  } else {
    const result = await nativeStop(settings);
    for (const [name, what] of Object.entries(result)) log.ok(`${name}: ${what}`);
  }
  rmSync(modeFile(settings), { force: true });
}

export function printEndpoints(settings: StackSettings, backend: Backend): void {
  const { ports } = settings;
  const env = clientEnv(settings);
  const ui =
    backend === 'docker'
      ? `${env.JAEGER_QUERY_URL} (UI)`
      : `${env.JAEGER_QUERY_URL}/api/v3/services (HTTP API; the natively built Jaeger serves no UI)`;
  log.plain(
    [
      `stack up (${backend}):`,
      `  Milvus      ${env.MILVUS_ADDRESS}  health http://127.0.0.1:${ports.milvusHealth.port}/healthz  (service "standalone" in Jaeger)`,
      `  Jaeger      ${ui}`,
      `  OTLP        grpc ${env.OTEL_EXPORTER_OTLP_ENDPOINT}  http http://127.0.0.1:${ports.otlpHttp.port}`,
      `  Prometheus  ${env.PROMETHEUS_URL}${backend === 'docker' ? ' (UI)' : ' (HTTP API; the natively built Prometheus serves no UI)'}  OTLP metrics in: ${env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT}`,
      `  Redis       ${env.REDIS_URL}`,
      backend === 'native'
        ? `  logs        ${settings.logDir}`
        : '  logs        docker compose -p milvus-otel logs',
    ].join('\n'),
  );
}
