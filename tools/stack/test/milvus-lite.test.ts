/**
 * The Milvus Lite helper: installed into the cache dir, a real server that answers gRPC, stopped with its process
 * group, and a clear error when it cannot start.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tcpOpen } from '../src/health.ts';
import {
  ensureMilvusLite,
  MILVUS_LITE_REQUIREMENTS,
  MILVUS_LITE_VERSION,
  startMilvusLite,
} from '../src/milvus-lite.ts';

describe('Milvus Lite', () => {
  it('installs the pinned packages into a venv of its version under the cache dir', async () => {
    const python = await ensureMilvusLite();
    expect(python).toMatch(
      new RegExp(`milvus-lite-${MILVUS_LITE_VERSION.replace(/\./g, '\\.')}/venv/bin/python$`),
    );
    const freeze = await execa(python, ['-m', 'pip', 'freeze', '--disable-pip-version-check']);
    const installed = new Set(
      freeze.stdout.split('\n').map((l) => l.trim().toLowerCase().replace(/_/g, '-')),
    );
    for (const requirement of MILVUS_LITE_REQUIREMENTS) {
      expect(installed, requirement).toContain(requirement.toLowerCase().replace(/_/g, '-'));
    }
    // A second call finds the install and returns at once.
    const began = Date.now();
    expect(await ensureMilvusLite()).toBe(python);
    expect(Date.now() - began).toBeLessThan(30_000);
  });

  it('starts a server that answers gRPC, and stops it with its data', async () => {
    const lite = await startMilvusLite();
    try {
      expect(lite.address).toBe(`127.0.0.1:${lite.port}`);
      const { MilvusClient } = await import('@zilliz/milvus2-sdk-node');
      const client = new MilvusClient({ address: lite.address, logLevel: 'error' });
      const version = await client.getVersion();
      expect(version.version).toBe(`milvus_lite-${MILVUS_LITE_VERSION}`);
      const created = await client.createDatabase({ db_name: 'helper_check' });
      expect(created.error_code).toBe('Success');
      const described = await client.describeDatabase({ db_name: 'helper_check' });
      expect(described.db_name).toBe('helper_check');
      await client.closeConnection();
      expect(existsSync(lite.dataDir)).toBe(true);
    } finally {
      await lite.stop();
    }
    expect(await tcpOpen(lite.port)).toBe(false);
    expect(existsSync(lite.dataDir)).toBe(false);
  });

  it('fails with the reason and the server output when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const error = await startMilvusLite({ port, timeoutMs: 30_000 }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        new RegExp(`^Milvus Lite ${MILVUS_LITE_VERSION} did not start on 127\\.0\\.0\\.1:${port}: `),
      );
      expect(error?.message).toMatch(/Failed to bind|address already in use|exited/i);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
