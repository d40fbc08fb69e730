import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Versions of the native stack's parts. The Milvus wheel's server and the Jaeger build are cached per version. */
export const VERSIONS = {
  /**
   * `milvus` on PyPI: the embedded Milvus standalone server (Go binary with embedded etcd and local storage). 2.3.5 is
   * the newest with a Linux wheel: PyPI's files for 2.3.8 and 2.3.9 are macOS arm64 only (manylinux2014_x86_64 ends
   * at 2.3.5, https://pypi.org/simple/milvus/), so `pip install milvus==2.3.9` finds nothing here.
   */
  milvusWheel: '2.3.5',
  /**
   * Jaeger's Go module. Its v2 tags are not importable (the module path has no /v2 suffix); v1.76.0 is the same
   * commit as the v2.13.0 release, so building `cmd/jaeger` at v1.76.0 gives the Jaeger v2.13.0 binary.
   */
  jaegerModule: 'v1.76.0',
  jaegerRelease: '2.13.0',
  /**
   * Prometheus's Go module. Its 3.x releases are tagged v0.3xx.y for Go (v3 tags are not importable): v0.316.0 is
   * Prometheus 3.16.0 (its VERSION file), the server behind `--web.enable-otlp-receiver`.
   */
  prometheusModule: 'v0.316.0',
  prometheusRelease: '3.16.0',
} as const;

export interface PortSpec {
  /** Environment variable that overrides the port. */
  readonly env: string;
  readonly port: number;
  /** What listens there, for messages. */
  readonly what: string;
  /** Bound on the host only by the native stack; with Docker it stays inside the container. */
  readonly nativeOnly?: boolean;
}

export interface StackSettings {
  readonly repoRoot: string;
  /** Where downloads and builds are cached across checkouts (safe to delete; rebuilt on demand). */
  readonly cacheDir: string;
  /** Runtime state of this checkout's stack: pid files, data, and every log in `logs/`. */
  readonly stateDir: string;
  readonly logDir: string;
  readonly ports: {
    readonly milvus: PortSpec;
    readonly milvusHealth: PortSpec;
    readonly milvusEtcd: PortSpec;
    readonly milvusEtcdPeer: PortSpec;
    readonly otlpGrpc: PortSpec;
    readonly otlpHttp: PortSpec;
    readonly jaegerQuery: PortSpec;
    readonly jaegerHealth: PortSpec;
    readonly jaegerQueryGrpc: PortSpec;
    readonly jaegerThriftHttp: PortSpec;
    readonly jaegerSampling: PortSpec;
    readonly redis: PortSpec;
    readonly prometheus: PortSpec;
  };
  /**
   * The native Milvus server's internal component ports (root coord, query coord, …): pinned rather than probed, so
   * two stacks on one machine never collide. Shifted with MILVUS_PORT: the defaults for 19530, +N for 19530+N.
   */
  readonly milvusInternalPorts: readonly MilvusInternalPort[];
  /** `auto` picks Docker when a working engine answers, the native processes otherwise. */
  readonly mode: 'auto' | 'docker' | 'native';
}

/** An internal port of the embedded Milvus server, with the key the wheel's config template names it by. */
export interface MilvusInternalPort extends PortSpec {
  readonly key: string;
}

/**
 * The embedded server's internal ports for MILVUS_PORT=19530: the defaults of the `milvus` wheel's config template
 * (milvus/data/config.yaml.template of the 2.3.5 wheel: rootCoord.port, proxy.internalPort, queryCoord.port, …).
 */
export const MILVUS_INTERNAL_PORTS = {
  root_coord_port: [53100, 'Milvus root coord (internal)'],
  proxy_internal_port: [19529, 'Milvus proxy (internal)'],
  query_coord_port: [19531, 'Milvus query coord (internal)'],
  query_node_port: [21123, 'Milvus query node (internal)'],
  index_coord_port: [22930, 'Milvus index coord (internal)'],
  index_node_port: [21121, 'Milvus index node (internal)'],
  data_coord_port: [13333, 'Milvus data coord (internal)'],
  data_node_port: [21124, 'Milvus data node (internal)'],
} as const satisfies Record<string, readonly [number, string]>;

const PORT_DEFAULTS = {
  milvus: { env: 'MILVUS_PORT', port: 19530, what: 'Milvus gRPC' },
  milvusHealth: { env: 'MILVUS_HEALTH_PORT', port: 9091, what: 'Milvus health/metrics' },
  milvusEtcd: { env: 'MILVUS_ETCD_PORT', port: 2379, what: "Milvus's embedded etcd", nativeOnly: true },
  milvusEtcdPeer: {
    env: 'MILVUS_ETCD_PEER_PORT',
    port: 2380,
    what: "Milvus's embedded etcd (peer)",
    nativeOnly: true,
  },
  otlpGrpc: { env: 'OTLP_GRPC_PORT', port: 4317, what: 'Jaeger OTLP gRPC receiver' },
  otlpHttp: { env: 'OTLP_HTTP_PORT', port: 4318, what: 'Jaeger OTLP HTTP receiver' },
  jaegerQuery: { env: 'JAEGER_QUERY_PORT', port: 16686, what: 'Jaeger query API / UI' },
  jaegerHealth: { env: 'JAEGER_HEALTH_PORT', port: 13133, what: 'Jaeger health check' },
  jaegerQueryGrpc: { env: 'JAEGER_QUERY_GRPC_PORT', port: 16685, what: 'Jaeger query gRPC API' },
  jaegerThriftHttp: { env: 'JAEGER_THRIFT_HTTP_PORT', port: 14268, what: 'Jaeger Thrift HTTP receiver' },
  jaegerSampling: { env: 'JAEGER_SAMPLING_PORT', port: 5778, what: 'Jaeger remote sampling' },
  redis: { env: 'REDIS_PORT', port: 6379, what: 'Redis' },
  prometheus: { env: 'PROMETHEUS_PORT', port: 9090, what: 'Prometheus (query API, OTLP metrics receiver)' },
} as const satisfies Record<string, PortSpec>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

function parsePort(spec: PortSpec, raw: string | undefined): number {
  if (raw === undefined || raw === '') return spec.port;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SettingsError(
      `${spec.env}=${JSON.stringify(raw)} is not a TCP port (${spec.what}). Set it to a whole number from 1 to 65535, or unset it for ${spec.port}.`,
    );
  }
  return port;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function loadSettings(env: NodeJS.ProcessEnv = process.env, repoRoot = REPO_ROOT): StackSettings {
  const ports = Object.fromEntries(
    Object.entries(PORT_DEFAULTS).map(([key, spec]) => [
      key,
      { ...spec, port: parsePort(spec, env[spec.env]) },
    ]),
  ) as unknown as StackSettings['ports'];

  const shift = ports.milvus.port - PORT_DEFAULTS.milvus.port;
  const milvusInternalPorts = Object.entries(MILVUS_INTERNAL_PORTS).map(([key, [port, what]]) => {
    const shifted = port + shift;
    if (shifted < 1 || shifted > 65535) {
      throw new SettingsError(
        `MILVUS_PORT=${ports.milvus.port} moves the native Milvus server's internal ports by ${shift}, which puts ${what} at ${shifted}, outside 1-65535. Pick a MILVUS_PORT between ${PORT_DEFAULTS.milvus.port - 13332} and ${PORT_DEFAULTS.milvus.port + 65535 - 53100}.`,
      );
    }
    return { env: 'MILVUS_PORT', port: shifted, what, nativeOnly: true, key };
  });

  const seen = new Map<number, PortSpec>();
  for (const spec of [...Object.values(ports), ...milvusInternalPorts]) {
    const other = seen.get(spec.port);
    if (other) {
      throw new SettingsError(
        `${spec.env} and ${other.env} are both ${spec.port}: ${spec.what} and ${other.what} need different ports.`,
      );
    }
    seen.set(spec.port, spec);
  }

  const mode = env.MILVUS_OTEL_STACK ?? 'auto';
  if (mode !== 'auto' && mode !== 'docker' && mode !== 'native') {
    throw new SettingsError(`MILVUS_OTEL_STACK=${JSON.stringify(mode)} is not one of auto, docker, native.`);
  }

  const home = env.HOME || homedir();
  const cacheDir = resolve(
    env.MILVUS_OTEL_CACHE || join(env.XDG_CACHE_HOME || join(home, '.cache'), 'milvus-otel'),
  );
  const stateDir = resolve(env.MILVUS_OTEL_STATE || join(repoRoot, '.stack'));
  return { repoRoot, cacheDir, stateDir, logDir: join(stateDir, 'logs'), ports, milvusInternalPorts, mode };
}

/** Where Prometheus's OTLP receiver takes metrics (OTLP/HTTP, protobuf or JSON; no gRPC). */
export const PROMETHEUS_OTLP_PATH = '/api/v1/otlp/v1/metrics';

/**
 * The environment a client needs to reach this stack (what the examples and tests read). Metrics stay off
 * (OTEL_METRICS_EXPORTER unset) except in the examples (`exampleEnv`): the endpoint here is where they go when a
 * client turns them on.
 */
export function clientEnv(settings: StackSettings): Record<string, string> {
  const { ports } = settings;
  const prometheus = `http://127.0.0.1:${ports.prometheus.port}`;
  return {
    MILVUS_ADDRESS: `127.0.0.1:${ports.milvus.port}`,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.otlpGrpc.port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${prometheus}${PROMETHEUS_OTLP_PATH}`,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    JAEGER_QUERY_URL: `http://127.0.0.1:${ports.jaegerQuery.port}`,
    PROMETHEUS_URL: prometheus,
    REDIS_URL: `redis://127.0.0.1:${ports.redis.port}`,
  };
}
