/**
 * Runs the example apps for the end-to-end suite: on free ports, against the local stack, with a collection and a
 * queue of their own — so a `pnpm dev` session can keep running beside the tests.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { readVerifyTargets } from '@milvus-otel/deploy';
import { type ExampleApp, exampleApps, freePort, loadSettings, startExamples } from '@milvus-otel/stack';
import { MilvusClient } from 'milvus-sdk-3.0';

export interface RunningExamples {
  readonly apps: readonly ExampleApp[];
  readonly expressUrl: string;
  readonly lambdaUrl: string;
  readonly collection: string;
  stop(): Promise<void>;
}

/**
 * Starts the three examples (from `dirs` when given: copies outside the repository) with `command` in each folder,
 * and resolves once each is healthy. `stop()` drains them and drops their collection.
 */
export async function runExamples(
  options: {
    dirs?: Partial<Record<ExampleApp['name'], string>>;
    command?: string[];
    env?: Record<string, string>;
  } = {},
): Promise<RunningExamples> {
  const settings = loadSettings();
  const [express, worker, serverless, runtimeApi] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const suffix = randomBytes(4).toString('hex');
  const collection = `e2e_docs_${suffix}`;
  const apps = exampleApps(settings, {
    EXPRESS_PORT: String(express),
    WORKER_PORT: String(worker),
    LAMBDA_PORT: String(serverless),
  }).map((app) => ({ ...app, dir: options.dirs?.[app.name] ?? app.dir }));
  const running = await startExamples(settings, apps, {
    timeoutMs: 180_000,
    // NODE_ENV: vitest sets it to "test", which turns on the Milvus SDK's debug log of every request.
    env: {
      DOCS_COLLECTION: collection,
      INGEST_QUEUE: `e2e-ingest-${suffix}`,
      NODE_ENV: 'production',
      // The emulator's Runtime API port too: a `./pnpm dev` session's emulator holds the default one.
      RUNTIME_API_PORT: String(runtimeApi),
      ...options.env,
    },
    ...(options.command ? { command: options.command } : {}),
  });
  return {
    apps,
    expressUrl: `http://127.0.0.1:${express}`,
    lambdaUrl: `http://127.0.0.1:${serverless}`,
    collection,
    async stop() {
      await running.stop();
      const client = new MilvusClient({ address: `127.0.0.1:${settings.ports.milvus.port}` });
      await client.dropCollection({ collection_name: collection });
      await client.closeConnection();
    },
  };
}

/** The targets `./pnpm milvus-otel verify` checks (tools/stack/verify-examples.yaml), pointed at these examples. */
export async function exampleTargets(examples: Pick<RunningExamples, 'expressUrl' | 'lambdaUrl'>) {
  const file = fileURLToPath(new URL('../../../tools/stack/verify-examples.yaml', import.meta.url));
  const env = { EXPRESS_URL: examples.expressUrl, LAMBDA_URL: examples.lambdaUrl };
  return (await readVerifyTargets(file, { env })).targets;
}
