import { connect } from 'node:net';
import { type ClientSettings, maskValue, parseClientEnv, safeParseClientEnv } from '@milvus-otel/config';
import { type HostPort, parseHostPort } from '@milvus-otel/config/address';

export interface DoctorOptions {
  /** Milvus gRPC address, host:port. */
  readonly milvusAddress: string;
  /** Milvus health endpoint. */
  readonly milvusHealthUrl: string;
  /** Jaeger query base URL (HTTP API). */
  readonly jaegerUrl: string;
  /** OTLP endpoint the apps export to (a URL). */
  readonly otlpEndpoint: string;
  /**
   * Its protocol: gives the port when the endpoint names none. Default: the one the apps read from
   * OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL, else theirs by default.
   */
  readonly otlpProtocol?: ClientSettings['otlp']['protocol'];
  /** Service name the Milvus server reports under. */
  readonly milvusService: string;
  /**
   * Prometheus base URL, when the apps send metrics there: its readiness (`/-/ready`) and its OTLP receiver are
   * checked too. Undefined: no metrics check.
   */
  readonly prometheusUrl?: string | undefined;
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
  /** What to do when it failed. */
  readonly fix?: string;
}

/** The apps' settings with no variable set: @milvus-otel/config's defaults for the Milvus address and OTLP. */
const CLIENT_DEFAULTS = parseClientEnv({}).data;

/** The apps' OTLP settings for a protocol, everything else at its default (a bad protocol: the defaults). */
function otlpFor(protocols: {
  OTEL_EXPORTER_OTLP_PROTOCOL?: string;
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: string;
}) {
  const parsed = safeParseClientEnv(protocols);
  return parsed.success ? parsed.data.otlp : CLIENT_DEFAULTS.otlp;
}

/** Where Prometheus's OTLP receiver takes metrics, under its base URL. */
const PROMETHEUS_OTLP_PATH = '/api/v1/otlp/v1/metrics';

/**
 * The Prometheus the apps send metrics to: PROMETHEUS_URL, else the base of OTEL_EXPORTER_OTLP_METRICS_ENDPOINT when
 * metrics are on (OTEL_METRICS_EXPORTER=otlp) and it is a Prometheus OTLP receiver URL (…/api/v1/otlp/v1/metrics).
 */
export function prometheusFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.PROMETHEUS_URL) return env.PROMETHEUS_URL.replace(/\/+$/, '');
  const endpoint = env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  if (env.OTEL_METRICS_EXPORTER?.trim().toLowerCase() !== 'otlp' || !endpoint) return undefined;
  const at = endpoint
    .replace(/[?#].*$/s, '')
    .replace(/\/+$/, '')
    .lastIndexOf(PROMETHEUS_OTLP_PATH);
  return at > 0 ? endpoint.slice(0, at) : undefined;
}

export function doctorDefaults(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DoctorOptions {
  const milvusAddress = env.MILVUS_ADDRESS || CLIENT_DEFAULTS.milvus.address;
  const host = parseHostPort(milvusAddress)?.host ?? '127.0.0.1';
  const otlp = otlpFor({
    OTEL_EXPORTER_OTLP_PROTOCOL: env.OTEL_EXPORTER_OTLP_PROTOCOL,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
  });
  return {
    milvusAddress,
    milvusHealthUrl:
      env.MILVUS_HEALTH_URL ||
      `http://${host.includes(':') ? `[${host}]` : host}:${env.MILVUS_HEALTH_PORT || 9091}/healthz`,
    jaegerUrl: env.JAEGER_QUERY_URL || 'http://127.0.0.1:16686',
    otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || otlp.url,
    otlpProtocol: otlp.protocol,
    milvusService: env.MILVUS_SERVICE_NAME || 'standalone',
    prometheusUrl: prometheusFromEnv(env),
  };
}

async function post(
  url: string,
  contentType: string,
): Promise<{ status: number; body: string; type: string } | Error> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(0),
      signal: AbortSignal.timeout(3000),
    });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The start of a response body on one line, for a check's detail. */
const oneLine = (body: string, max: number) => body.replace(/\s+/g, ' ').trim().slice(0, max);

/**
 * Prometheus ready (`/-/ready`) and its OTLP receiver on: an empty OTLP/HTTP export (a valid request with no
 * metrics, so nothing is written) answers 2xx, and 404 without `--web.enable-otlp-receiver`.
 */
async function prometheusChecks(url: string): Promise<Check[]> {
  const [ready, otlp] = await Promise.all([
    get(`${url}/-/ready`),
    post(`${url}${PROMETHEUS_OTLP_PATH}`, 'application/x-protobuf'),
  ]);
  // Prometheus's own answers, not a web UI that serves a page at every path (Jaeger's, for one).
  const isReady = !(ready instanceof Error) && ready.status === 200 && /Prometheus.*Ready/i.test(ready.body);
  const receives =
    !(otlp instanceof Error) && otlp.status >= 200 && otlp.status < 300 && !otlp.type.includes('text/html');
  return [
    {
      name: 'Prometheus ready',
      ok: isReady,
      detail:
        ready instanceof Error
          ? `${url}/-/ready: ${ready.message}`
          : `${url}/-/ready → ${ready.status} ${oneLine(ready.body, 60)}`,
      ...(isReady
        ? {}
        : { fix: 'start Prometheus (pnpm stack start), or point --prometheus-url / PROMETHEUS_URL at it' }),
    },
    {
      name: 'Prometheus OTLP receiver',
      ok: receives,
      detail:
        otlp instanceof Error
          ? `${url}${PROMETHEUS_OTLP_PATH}: ${otlp.message}`
          : `${url}${PROMETHEUS_OTLP_PATH} → ${otlp.status}${receives ? '' : ` ${otlp.type} ${oneLine(otlp.body, 80)}`}`,
      ...(receives
        ? {}
        : { fix: 'start Prometheus 3 with --web.enable-otlp-receiver (the stack and compose file do)' }),
    },
  ];
}

function tcp(address: HostPort | undefined, timeoutMs = 2000): Promise<boolean> {
  // No valid port (parseHostPort leaves it undefined): the check fails, and its detail says why.
  if (address?.port === undefined) return Promise.resolve(false);
  const { host, port } = address;
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

/** `host:port` as a URL authority writes it: an IPv6 host in brackets. */
function authority({ host, port }: HostPort): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Checks a running stack, each check independent so one report shows everything that is wrong. */
export async function doctor(options: DoctorOptions): Promise<Check[]> {
  const milvus = parseHostPort(options.milvusAddress, parseHostPort(CLIENT_DEFAULTS.milvus.address)?.port);
  // An endpoint without a port: the port of the protocol in use, as the apps default to it.
  const protocol = options.otlpProtocol ?? doctorDefaults().otlpProtocol;
  const otlp = parseHostPort(
    options.otlpEndpoint,
    parseHostPort(otlpFor({ OTEL_EXPORTER_OTLP_PROTOCOL: protocol }).url)?.port,
  );
  const [health, grpcOpen, services, otlpOpen] = await Promise.all([
    get(options.milvusHealthUrl),
    tcp(milvus),
    get(`${options.jaegerUrl}/api/v3/services`),
    tcp(otlp),
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
    detail:
      milvus?.port !== undefined
        ? `${authority(milvus)} ${grpcOpen ? 'accepts connections' : 'refuses connections'}`
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
        : `${options.jaegerUrl}/api/v3/services → ${services.status}`,
    ...(jaegerUp ? {} : { fix: 'start Jaeger, or point --jaeger-url at its query port (16686)' }),
  });
  checks.push({
    name: 'OTLP receiver',
    ok: otlpOpen,
    detail:
      otlp?.port !== undefined
        ? `${authority(otlp)} ${otlpOpen ? 'accepts connections' : 'refuses connections'}`
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
      names = (JSON.parse(services.body) as { services?: string[] | null }).services ?? [];
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
  if (options.prometheusUrl)
    checks.push(...(await prometheusChecks(options.prometheusUrl.replace(/\/+$/, ''))));
  // The details echo the URLs given: their credentials and query values stay out of the report.
  return checks.map((c) => ({ ...c, detail: maskValue('detail', c.detail) ?? c.detail }));
}
