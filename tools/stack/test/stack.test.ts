import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { httpOk, milvusNotReady, redisPing, tcpOpen } from '../src/health.ts';
import { milvusNonLoopback } from '../src/loopback.ts';
import { loadSettings } from '../src/settings.ts';

const exec = promisify(execFile);
const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

async function stack(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], {
      env: { ...process.env, MILVUS_OTEL_STACK: 'native', ...env },
      timeout: 280_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every port of a second stack, moved by `offset` so it can run beside the main one. */
function shiftedPorts(offset: number): Record<string, string> {
  return Object.fromEntries(
    Object.values(loadSettings({}).ports).map((spec) => [spec.env, String(spec.port + offset)]),
  );
}

describe('the running stack (started by the global setup)', () => {
  const { ports } = loadSettings();

  it('answers on every port', async () => {
    expect(await httpOk(`http://127.0.0.1:${ports.milvusHealth.port}/healthz`, 'OK')).toBe(true);
    expect(await tcpOpen(ports.milvus.port)).toBe(true);
    expect(await httpOk(`http://127.0.0.1:${ports.jaegerHealth.port}/status`)).toBe(true);
    expect(await tcpOpen(ports.otlpGrpc.port)).toBe(true);
    expect(await tcpOpen(ports.otlpHttp.port)).toBe(true);
    expect(await redisPing(ports.redis.port)).toBe(true);
  });

  it('Milvus serves a client (CheckHealth and ListCollections), and its logs name loopback addresses only', async () => {
    expect(await milvusNotReady(`127.0.0.1:${ports.milvus.port}`)).toBeUndefined();
    const hits = milvusNonLoopback(loadSettings());
    expect(hits.slice(0, 3), `${hits.length} log lines with a non-loopback address`).toEqual([]);
    expect((await stack(['check-loopback'])).code).toBe(0);
  });

  it('a second start is a no-op that says so', async () => {
    const result = await stack(['start']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('stack already running (native) — nothing to do');
  });

  it('status --json reports every service healthy with its pid', async () => {
    const result = await stack(['status', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout) as {
      healthy: boolean;
      services: { name: string; pid: number }[];
    };
    expect(status.healthy).toBe(true);
    expect(status.services.map((s) => s.name)).toEqual(['jaeger', 'prometheus', 'milvus', 'redis']);
    for (const s of status.services) expect(s.pid).toBeGreaterThan(0);
  });

  it('starts nothing when a port is taken, and names the port, its user and the variable to change', async () => {
    const state = mkdtempSync(join(tmpdir(), 'stack-conflict-'));
    try {
      // Its own state folder, so it does not see the running stack; the same ports, so they are all taken.
      const result = await stack(['start'], { MILVUS_OTEL_STATE: state });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('cannot start the native stack:');
      expect(result.stderr).toMatch(
        new RegExp(
          `port ${ports.milvus.port} \\(Milvus gRPC\\) is already in use by \\S+ pid \\d+: stop that process or set MILVUS_PORT to a free port`,
        ),
      );
      expect(result.stderr).toContain('set OTLP_GRPC_PORT to a free port');
      expect(readdirSync(state)).not.toContain('pids');
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

describe('a second stack on other ports', () => {
  const state = mkdtempSync(join(tmpdir(), 'stack-second-'));
  const env = { MILVUS_OTEL_STATE: state, ...shiftedPorts(1000) };
  afterAll(async () => {
    await stack(['stop'], env);
    rmSync(state, { recursive: true, force: true });
  });

  it('starts healthy, keeps its logs in one folder, and stops leaving no process behind', async () => {
    const started = await stack(['start'], env);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain('milvus ready');
    // A real round trip, on its own port; its components on loopback and on ports moved with MILVUS_PORT.
    const second = loadSettings(env);
    expect(await milvusNotReady(`127.0.0.1:${second.ports.milvus.port}`)).toBeUndefined();
    const config = parse(readFileSync(join(state, 'milvus', 'configs', 'milvus.yaml'), 'utf8'));
    for (const [section, port] of [
      ['rootCoord', 54100],
      ['queryCoord', 20531],
      ['dataNode', 22124],
    ] as const) {
      expect(config[section], section).toMatchObject({ ip: '127.0.0.1', port });
    }
    expect(milvusNonLoopback(second)).toEqual([]);
    expect(readdirSync(join(state, 'logs')).sort()).toEqual([
      'jaeger.log',
      'milvus.log',
      'prometheus.log',
      'redis.log',
    ]);

    const pids = readdirSync(join(state, 'pids')).map((f) =>
      Number(readFileSync(join(state, 'pids', f), 'utf8')),
    );
    expect(pids).toHaveLength(4);

    const stopped = await stack(['stop'], env);
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('milvus: stopped'); // within its grace period, not killed
    for (const pid of pids) expect(() => process.kill(-pid, 0), `process group ${pid}`).toThrow();
    expect(await tcpOpen(20530)).toBe(false);
    expect(await tcpOpen(5317)).toBe(false);
    expect(await tcpOpen(second.ports.prometheus.port)).toBe(false);
  });
});
