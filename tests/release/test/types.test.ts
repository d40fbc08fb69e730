/**
 * The published types resolve and check in a fresh project, under `moduleResolution: nodenext` (an .mts file that
 * imports, a .cts file that requires) and `bundler`, with skipLibCheck off (our .d.ts/.d.cts files are checked too)
 * and TypeScript 6's defaults; `/register` is imported for its side effects and with `await import()`, which in a
 * strict project needs its (empty) declarations.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeInConsumer, release } from '../src/consumer.ts';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** Uses each package's main API with its types; each @ts-expect-error proves a type is real, not `any`. */
const USES = `
const settings: ClientSettings = parseClientEnv({ OTEL_SERVICE_NAME: 'checked' }).data;
const error: ConfigError | undefined = undefined;
const schemaNames: string[] = Object.keys(jsonSchemas);
// @ts-expect-error parseClientEnv takes an env record
parseClientEnv(42);

const instrumentation = new MilvusInstrumentation({ requireParentSpan: true });
const config: MilvusInstrumentationConfig = instrumentation.getConfig();
// @ts-expect-error requireParentSpan is a boolean
new MilvusInstrumentation({ requireParentSpan: 'yes' });

const options: RegisterOptions = { serviceName: 'checked', instrumentations: 'lean' };
const handle: OTelHandle = register(options);
const handler = withLambdaTracing(async (event: { id: string }) => event.id);
// @ts-expect-error instrumentations is 'lean' | 'all' | Instrumentation[]
register({ instrumentations: 'everything' });

const pending: Promise<Trace | undefined> = fetchTrace('http://127.0.0.1:16686', '1');
const roots = (trace: Trace): TraceSpan[] => trace.spans.filter((s) => s.parentId === undefined);
// @ts-expect-error waitForTrace takes its options as an object
waitForTrace('http://127.0.0.1:16686', '1', () => true);

const targets: readonly string[] = TARGET_NAMES;
const rendered: { path: string; content: string }[] = render('all', resolveDeployConfig({}));

// Loading the --import entry on demand (its types: an empty module).
export const startTracing = async (): Promise<void> => {
  await import('@milvus-otel/node/register');
};

export { config, error, handle, handler, pending, rendered, roots, schemaNames, settings, targets };
`;

const IMPORTS = `import { type ClientSettings, ConfigError, parseClientEnv } from '@milvus-otel/config';
import { jsonSchemas } from '@milvus-otel/config/server';
import { MilvusInstrumentation, type MilvusInstrumentationConfig } from '@milvus-otel/instrumentation-milvus';
import { type OTelHandle, type RegisterOptions, register, withLambdaTracing } from '@milvus-otel/node';
import { fetchTrace, type Trace, type TraceSpan, waitForTrace } from '@milvus-otel/jaeger-query';
import { render, resolveDeployConfig, TARGET_NAMES } from '@milvus-otel/deploy';
`;

const REQUIRES = `import configPackage = require('@milvus-otel/config');
import configServerPackage = require('@milvus-otel/config/server');
import instrumentationPackage = require('@milvus-otel/instrumentation-milvus');
import nodePackage = require('@milvus-otel/node');
import jaegerQueryPackage = require('@milvus-otel/jaeger-query');
import deployPackage = require('@milvus-otel/deploy');
type ClientSettings = configPackage.ClientSettings;
type ConfigError = configPackage.ConfigError;
type MilvusInstrumentationConfig = instrumentationPackage.MilvusInstrumentationConfig;
type OTelHandle = nodePackage.OTelHandle;
type RegisterOptions = nodePackage.RegisterOptions;
type Trace = jaegerQueryPackage.Trace;
type TraceSpan = jaegerQueryPackage.TraceSpan;
const { parseClientEnv } = configPackage;
const { jsonSchemas } = configServerPackage;
const { MilvusInstrumentation } = instrumentationPackage;
const { register, withLambdaTracing } = nodePackage;
const { fetchTrace, waitForTrace } = jaegerQueryPackage;
const { render, resolveDeployConfig, TARGET_NAMES } = deployPackage;
`;

const COMMON_OPTIONS = {
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  types: ['node'],
  target: 'es2023',
  lib: ['es2023'],
  resolveJsonModule: true,
};

function writeProject(dir: string, files: Record<string, string>, compilerOptions: Record<string, unknown>) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      { compilerOptions: { ...COMMON_OPTIONS, ...compilerOptions }, files: Object.keys(files) },
      null,
      2,
    ),
  );
}

beforeAll(() => {
  const root = join(release().consumerDir, 'types');
  writeProject(
    join(root, 'nodenext'),
    {
      'esm.mts': `${IMPORTS}import '@milvus-otel/node/register';
import clientEnvSchema from '@milvus-otel/config/schemas/client-env.schema.json' with { type: 'json' };
${USES}export const schema: object = clientEnvSchema;
`,
      'cjs.cts': `${REQUIRES}${USES}`,
    },
    { module: 'nodenext', moduleResolution: 'nodenext' },
  );
  writeProject(
    join(root, 'bundler'),
    { 'app.ts': `${IMPORTS}import '@milvus-otel/node/register';\n${USES}` },
    { module: 'esnext', moduleResolution: 'bundler' },
  );
});

describe('tsc on a project that uses every package', () => {
  it.each(['nodenext', 'bundler'])('type-checks under moduleResolution: %s', async (mode) => {
    const ran = await nodeInConsumer([tsc, '-p', `types/${mode}/tsconfig.json`, '--pretty', 'false']);
    expect(ran.stdout + ran.stderr, ran.describe).toBe('');
    expect(ran.code, ran.describe).toBe(0);
  });
});
