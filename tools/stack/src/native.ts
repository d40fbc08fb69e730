import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { httpOk, milvusNotReady, redisPing, tcpOpen, waitReady } from './health.ts';
import { ensureNativeTools, type NativeTools } from './install.ts';
import { log, StackError } from './log.ts';
import { takenPorts } from './ports.ts';
import {
  type Daemon,
  daemon,
  logTail,
  runningPid,
  type StartOptions,
  startDaemon,
  stopDaemon,
} from './process.ts';
import type { PortSpec, StackSettings } from './settings.ts';

export const SERVICE_NAMES = ['jaeger', 'prometheus', 'milvus', 'redis'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

interface NativeService {
  name: ServiceName;
  daemon: Daemon;
  ports: PortSpec[];
  /** Undefined when the service serves clients (a real round trip), else why not. */
  notReady: () => Promise<string | undefined>;
  startTimeoutMs: number;
  /** What to try when it does not become ready. */
  fix: string;
  stopGraceMs: number;
  command: (tools: NativeTools) => StartOptions;
}

/**
 * The Milvus server's trace settings for the native stack: docker/milvus/user.yaml (rendered by @milvus-otel/deploy
 * and mounted by docker compose), flattened to milvus.yaml keys, with the collector moved from the compose service
 * `jaeger` to the local Jaeger's OTLP port. The wheel only replaces keys its 2.3 template has; keys that release does
 * not read (otlp.method, initTimeoutSeconds) are left out.
 */
export function milvusTraceConfig(settings: StackSettings): Record<string, string> {
  const file = join(settings.repoRoot, 'docker', 'milvus', 'user.yaml');
  const { trace } = parse(readFileSync(file, 'utf8')) as { trace?: Record<string, unknown> };
  if (!trace) throw new StackError(`${file} has no trace: section`);
  const flat: Record<string, string> = {};
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(`${prefix}.${k}`, v);
    } else {
      flat[prefix] = String(value);
    }
  };
  walk('trace', trace);
  if (flat['trace.otlp.endpoint']) flat['trace.otlp.endpoint'] = `127.0.0.1:${settings.ports.otlpGrpc.port}`;
  for (const key of NOT_READ_BY_WHEEL) delete flat[key];
  return flat;
}

/**
 * Settings of the native Milvus server beyond tracing (keys of the 2.3.5 wheel's milvus.yaml template).
 * `common.gracefulStopTimeout`: the wheel sets 1800 s, and the query node falls back to it (queryNode.gracefulStopTimeout,
 * since 2.2.1) while it waits for its segments to move to another query node — which a standalone server does not have,
 * so a stop with loaded collections otherwise waited out the stop's grace period and was killed.
 */
export const NATIVE_MILVUS_CONFIG = { 'common.gracefulStopTimeout': '10' } as const;

/** trace keys the embedded Milvus 2.3 server does not read. */
const NOT_READ_BY_WHEEL = ['trace.otlp.method', 'trace.initTimeoutSeconds'];

/** The native Prometheus's command line: the OTLP receiver on, its files under .stack/prometheus, loopback only. */
export function prometheusArgs(settings: StackSettings): string[] {
  const dir = join(settings.stateDir, 'prometheus');
  return [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${settings.ports.prometheus.port}`,
    '--web.enable-otlp-receiver',
  ];
}

export function nativeServices(settings: StackSettings): NativeService[] {
  const { ports, stateDir, logDir, repoRoot } = settings;
  const d = (name: ServiceName) => daemon(name, stateDir, logDir);
  return [
    {
      name: 'jaeger',
      daemon: d('jaeger'),
      ports: [
        ports.otlpGrpc,
        ports.otlpHttp,
        ports.jaegerQuery,
        ports.jaegerQueryGrpc,
        ports.jaegerThriftHttp,
        ports.jaegerHealth,
        ports.jaegerSampling,
      ],
      // Ready when its OTLP receivers accept connections and its query API answers.
      notReady: async () => {
        if (!(await httpOk(`http://127.0.0.1:${ports.jaegerHealth.port}/status`)))
          return 'health check not OK';
        for (const p of [ports.otlpGrpc, ports.otlpHttp])
          if (!(await tcpOpen(p.port))) return `${p.what} not accepting on ${p.port}`;
        if (!(await httpOk(`http://127.0.0.1:${ports.jaegerQuery.port}/api/v3/services`)))
          return 'query API not answering';
        return undefined;
      },
      startTimeoutMs: 60_000,
      fix: 'look at the log above; `./pnpm stack logs jaeger` shows more',
      stopGraceMs: 10_000,
      command: (tools) => {
        // A working copy of the strategies file: Jaeger reloads it every second, so it can be edited live.
        const strategies = join(stateDir, 'jaeger', 'sampling-strategies.json');
        mkdirSync(join(stateDir, 'jaeger'), { recursive: true });
        copyFileSync(join(repoRoot, 'docker', 'jaeger', 'sampling-strategies.json'), strategies);
        return {
          command: tools.jaeger,
          args: ['--config', join(repoRoot, 'docker', 'jaeger', 'config.yaml')],
          env: {
            JAEGER_SAMPLING_STRATEGIES_FILE: strategies,
            JAEGER_LISTEN_HOST: '127.0.0.1',
            OTLP_GRPC_PORT: String(ports.otlpGrpc.port),
            OTLP_HTTP_PORT: String(ports.otlpHttp.port),
            JAEGER_QUERY_PORT: String(ports.jaegerQuery.port),
            JAEGER_HEALTH_PORT: String(ports.jaegerHealth.port),
            JAEGER_QUERY_GRPC_PORT: String(ports.jaegerQueryGrpc.port),
            JAEGER_THRIFT_HTTP_PORT: String(ports.jaegerThriftHttp.port),
            JAEGER_SAMPLING_PORT: String(ports.jaegerSampling.port),
            // Span metrics (the Monitor tab's data) go to the stack's Prometheus and are read back from it.
            PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus.port}`,
          },
        };
      },
    },
    {
      name: 'prometheus',
      daemon: d('prometheus'),
      ports: [ports.prometheus],
      notReady: async () =>
        (await httpOk(`http://127.0.0.1:${ports.prometheus.port}/-/ready`)) ? undefined : '/-/ready not OK',
      startTimeoutMs: 60_000,
      fix: `\`./pnpm stack logs prometheus\` shows its log; its data is ${join(stateDir, 'prometheus', 'data')}`,
      stopGraceMs: 10_000,
      command: (tools) => {
        const dir = join(stateDir, 'prometheus');
        mkdirSync(join(dir, 'data'), { recursive: true });
        // docker/prometheus/prometheus.yml (rendered by @milvus-otel/deploy, mounted by docker compose): no scrape
        // targets, metrics arrive over OTLP.
        copyFileSync(join(repoRoot, 'docker', 'prometheus', 'prometheus.yml'), join(dir, 'prometheus.yml'));
        return { command: tools.prometheus, args: prometheusArgs(settings) };
      },
    },
    {
      name: 'milvus',
      daemon: d('milvus'),
      ports: [
        ports.milvus,
        ports.milvusHealth,
        ports.milvusEtcd,
        ports.milvusEtcdPeer,
        ...settings.milvusInternalPorts,
      ],
      notReady: () => milvusNotReady(`127.0.0.1:${ports.milvus.port}`),
      // A cold first start, or a restart on existing data, takes up to about a minute on 2 cores.
      startTimeoutMs: 240_000,
      fix: `its own log is ${join(stateDir, 'milvus', 'logs', 'milvus-stdout.log')}; if it keeps failing, \`./pnpm stack stop\`, move ${join(stateDir, 'milvus')} aside (the data) and start again`,
      stopGraceMs: 30_000,
      command: (tools) => ({
        command: tools.python,
        args: [
          join(repoRoot, 'tools', 'stack', 'milvus', 'launch.py'),
          '--data',
          join(stateDir, 'milvus'),
          '--port',
          String(ports.milvus.port),
          '--health-port',
          String(ports.milvusHealth.port),
          '--etcd-port',
          String(ports.milvusEtcd.port),
          '--etcd-peer-port',
          String(ports.milvusEtcdPeer.port),
          '--ip',
          '127.0.0.1',
          ...settings.milvusInternalPorts.flatMap((p) => ['--internal-port', `${p.key}=${p.port}`]),
          ...Object.entries({ ...NATIVE_MILVUS_CONFIG, ...milvusTraceConfig(settings) }).flatMap(([k, v]) => [
            '--config',
            `${k}=${v}`,
          ]),
        ],
        env: { PYTHONUNBUFFERED: '1' },
      }),
    },
    {
      name: 'redis',
      daemon: d('redis'),
      ports: [ports.redis],
      notReady: async () => ((await redisPing(ports.redis.port)) ? undefined : 'no PONG to PING'),
      startTimeoutMs: 30_000,
      fix: '`./pnpm stack logs redis` shows its log',
      stopGraceMs: 10_000,
      command: (tools) => {
        const dir = join(stateDir, 'redis');
        mkdirSync(dir, { recursive: true });
        return {
          command: tools.redisServer,
          args: [
            '--bind',
            '127.0.0.1',
            '--port',
            String(ports.redis.port),
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
        };
      },
    },
  ];
}

export interface ServiceStatus {
  name: ServiceName;
  pid: number | undefined;
  healthy: boolean;
  log: string;
}

export async function nativeStatus(settings: StackSettings): Promise<ServiceStatus[]> {
  return Promise.all(
    nativeServices(settings).map(async (s) => {
      const pid = runningPid(s.daemon);
      return {
        name: s.name,
        pid,
        healthy: pid !== undefined && (await s.notReady()) === undefined,
        log: s.daemon.logFile,
      };
    }),
  );
}

/**
 * Starts every service that is not running yet: checks their ports first (nothing half-starts on a taken port),
 * then Jaeger before Milvus so the server's first spans have somewhere to go, each gated on its health check.
 * Returns false when everything was already running.
 */
export async function nativeStart(settings: StackSettings): Promise<boolean> {
  const services = nativeServices(settings);
  const pending = services.filter((s) => runningPid(s.daemon) === undefined);
  if (pending.length === 0) return false;

  const problems = await takenPorts(pending.flatMap((s) => s.ports));
  if (problems.length > 0) {
    throw new StackError(`cannot start the native stack:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  const tools = await ensureNativeTools(settings);
  mkdirSync(settings.logDir, { recursive: true });

  const started: NativeService[] = [];
  try {
    for (const service of pending) {
      const began = Date.now();
      log.step(`starting ${service.name}`);
      const { exited } = startDaemon(service.daemon, service.command(tools));
      started.push(service);
      let notReady: string | undefined;
      try {
        notReady = await waitReady(service.name, service.notReady, {
          timeoutMs: service.startTimeoutMs,
          abort: exited,
        });
      } catch (error) {
        throw new StackError(
          `${(error as Error).message}; last lines of ${service.daemon.logFile}:\n${logTail(service.daemon.logFile)}\n  fix: ${service.fix}`,
        );
      }
      if (notReady !== undefined) {
        throw new StackError(
          `${service.name} did not become ready within ${service.startTimeoutMs / 1000} s (${notReady}); last lines of ${service.daemon.logFile}:\n${logTail(service.daemon.logFile)}\n  fix: ${service.fix}`,
        );
      }
      log.ok(`${service.name} ready in ${((Date.now() - began) / 1000).toFixed(1)}s`);
    }
  } catch (error) {
    // Nothing half-starts: whatever this call started is stopped again before the error reaches the user.
    for (const service of started.reverse()) await stopDaemon(service.daemon, service.stopGraceMs);
    throw error;
  }
  return true;
}

/** Stops every service (Milvus first, so its last spans still reach Jaeger); returns what happened to each. */
export async function nativeStop(settings: StackSettings): Promise<Record<ServiceName, string>> {
  const result = {} as Record<ServiceName, string>;
  for (const service of nativeServices(settings).reverse()) {
    result[service.name] = await stopDaemon(service.daemon, service.stopGraceMs);
  }
  return result;
}
