import { connect } from 'node:net';
import { maskValue } from '@milvus-otel/config';

export interface DoctorOptions {
  /** Milvus gRPC address, host:port. */
  readonly milvusAddress: string;
  /** Milvus health endpoint. */
  readonly milvusHealthUrl: string;
  /** Jaeger query base URL (HTTP API). */
  readonly jaegerUrl: string;
  /** OTLP endpoint the apps and Milvus export to (gRPC). */
  readonly otlpEndpoint: string;
  /** Service name the Milvus server reports under. */
  readonly milvusService: string;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

export function doctorDefaults(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DoctorOptions {
  const milvusAddress = env.MILVUS_ADDRESS || '127.0.0.1:19530';
  const host = milvusAddress.replace(/^https?:\/\//, '').split(':')[0] || '127.0.0.1';
  return {
    milvusAddress,
    milvusHealthUrl: env.MILVUS_HEALTH_URL || `http://${host}:${env.MILVUS_HEALTH_PORT || 9091}/healthz`,
    jaegerUrl: env.JAEGER_QUERY_URL || 'http://127.0.0.1:16686',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4317',
    milvusService: env.MILVUS_SERVICE_NAME || 'standalone',
  };
}

const isPort = (port: number) => Number.isInteger(port) && port >= 1 && port <= 65_535;

function tcp(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  // connect() throws on a port out of range: the check fails, and its detail says why.
  if (!isPort(port)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => done(true));
  });
}

async function get(url: string): Promise<{ status: number; body: string } | Error> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: await res.text() };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function hostPort(address: string, fallbackPort: number): { host: string; port: number } {
  const bare = address
    .replace(/^[a-z]+:\/\//, '')
    .replace(/^.*@/, '')
    .replace(/\/.*$/, '');
  const [host = '127.0.0.1', port] = bare.split(':');
  return { host, port: port ? Number(port) : fallbackPort };
}

/** Checks a running stack, each check independent so one report shows everything that is wrong. */
export async function doctor(options: DoctorOptions): Promise<Check[]> {
  const milvus = hostPort(options.milvusAddress, 19530);
  const otlp = hostPort(options.otlpEndpoint, 4317);
  const [health, grpcOpen, services, otlpOpen] = await Promise.all([
    get(options.milvusHealthUrl),
    tcp(milvus.host, milvus.port),
    get(`${options.jaegerUrl}/api/services`),
    tcp(otlp.host, otlp.port),
  ]);
  const checks: Check[] = [];
  const healthy = !(health instanceof Error) && health.status === 200 && health.body.includes('OK');
  checks.push({
    name: 'Milvus health',
    ok: healthy,
    detail:
      health instanceof Error
        ? `${options.milvusHealthUrl}: ${health.message}`
        : `${options.milvusHealthUrl} → ${health.status} ${health.body.trim().slice(0, 60)}`,
    ...(healthy
      ? {}
      : { fix: 'start Milvus (pnpm stack start) or point --milvus-health-url at its :9091/healthz' }),
  });
  checks.push({
    name: 'Milvus gRPC port',
    ok: grpcOpen,
    detail: isPort(milvus.port)
      ? `${milvus.host}:${milvus.port} ${grpcOpen ? 'accepts connections' : 'refuses connections'}`
      : `${options.milvusAddress} is not host:port with a port from 1 to 65535`,
    ...(grpcOpen ? {} : { fix: 'check MILVUS_ADDRESS and that the server listens there' }),
  });
  const jaegerUp = !(services instanceof Error) && services.status === 200;
  checks.push({
    name: 'Jaeger query API',
    ok: jaegerUp,
    detail:
      services instanceof Error
        ? `${options.jaegerUrl}: ${services.message}`
        : `${options.jaegerUrl}/api/services → ${services.status}`,
    ...(jaegerUp ? {} : { fix: 'start Jaeger, or point --jaeger-url at its query port (16686)' }),
  });
  checks.push({
    name: 'OTLP receiver',
    ok: otlpOpen,
    detail: isPort(otlp.port)
      ? `${otlp.host}:${otlp.port} ${otlpOpen ? 'accepts connections' : 'refuses connections'}`
      : `${options.otlpEndpoint} is not a URL with a port from 1 to 65535`,
    ...(otlpOpen
      ? {}
      : {
          fix: 'enable OTLP on the collector (Jaeger ≥ 1.35 has it on 4317/4318) and check OTEL_EXPORTER_OTLP_ENDPOINT',
        }),
  });
  let names: string[] = [];
  if (jaegerUp) {
    try {
      names = (JSON.parse(services.body) as { data: string[] | null }).data ?? [];
    } catch {
      names = [];
    }
  }
  const present = names.includes(options.milvusService);
  checks.push({
    name: 'Milvus spans in Jaeger',
    ok: present,
    detail: jaegerUp
      ? `service "${options.milvusService}" ${present ? 'is' : 'is not'} among ${names.length} services${names.length ? ` (${names.join(', ')})` : ''}`
      : 'Jaeger not reachable',
    ...(present
      ? {}
      : {
          fix: 'send one traced request, then check the server trace section (milvus-otel validate <milvus.yaml>): exporter otlp, the collector endpoint, secure: false for a plain-text collector',
        }),
  });
  // The details echo the URLs given: their credentials and query values stay out of the report.
  return checks.map((c) => ({ ...c, detail: maskValue('detail', c.detail) ?? c.detail }));
}
