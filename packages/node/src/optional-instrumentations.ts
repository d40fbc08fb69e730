import type { ClientSettings } from '@milvus-otel/config';
import type { InstrumentationName } from '@milvus-otel/config/internal';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { AppPackages } from './app-packages.ts';
import { databaseConfigs, redisStatementSerializer } from './db-statements.ts';
import { isSelected } from './instrumentation-selection.ts';

type Config = Record<string, unknown>;
type InstrumentationClass = new (config?: Config) => Instrumentation;

/** A library instrumentation the preset adds when the app has the library (or, `whenNamed`, when asked for). */
interface Optional {
  readonly name: InstrumentationName;
  /** The app has the library when one of these packages is installed. */
  readonly packages: readonly string[];
  /** Added only when OTEL_NODE_ENABLED_INSTRUMENTATIONS names it. */
  readonly whenNamed?: true;
  /** The instrumentation's package, and its class's export. */
  readonly module: string;
  readonly className: string;
  /** Set for an optional peer dependency: what to install when it is missing. */
  readonly install?: string;
  readonly config: (settings: ClientSettings) => Config;
}

/**
 * Koa, pg, node-redis, MongoDB and mysql2 are dependencies of the preset (small, on the same
 * @opentelemetry/instrumentation as the rest). `@fastify/otel` (Fastify's own instrumentation; it comes with an older
 * @opentelemetry/instrumentation and core of its own) and the AWS Lambda instrumentation are optional peers: installed
 * by the apps that want them.
 */
export const OPTIONAL_INSTRUMENTATIONS: readonly Optional[] = [
  {
    name: 'fastify',
    packages: ['fastify'],
    module: '@fastify/otel',
    className: 'FastifyOtelInstrumentation',
    install: 'npm install @fastify/otel',
    // Registered through Fastify's `fastify.initialization` diagnostics channel: no require or import hook. Like the
    // Express default, no span per hook or handler: the route names the request's span (`GET /search/:id`).
    config: (settings) => ({
      registerOnInitialization: true,
      instrumentHooks: false,
      instrumentHandler: false,
      ignorePaths: (route: { url?: string }) =>
        route.url !== undefined && settings.ignoreIncomingPaths.includes(route.url),
    }),
  },
  {
    name: 'koa',
    packages: ['koa'],
    module: '@opentelemetry/instrumentation-koa',
    className: 'KoaInstrumentation',
    // A span per router layer (it names the request's span: `GET /search/:id`), none per middleware.
    config: () => ({ ignoreLayersType: ['middleware'] }),
  },
  {
    name: 'pg',
    packages: ['pg'],
    module: '@opentelemetry/instrumentation-pg',
    className: 'PgInstrumentation',
    config: (settings) => ({ ...databaseConfigs(settings)['@opentelemetry/instrumentation-pg'] }),
  },
  {
    name: 'redis',
    packages: ['redis', '@redis/client'],
    module: '@opentelemetry/instrumentation-redis',
    className: 'RedisInstrumentation',
    config: (settings) => ({
      requireParentSpan: true,
      dbStatementSerializer: redisStatementSerializer(settings),
    }),
  },
  {
    name: 'mongodb',
    packages: ['mongodb'],
    module: '@opentelemetry/instrumentation-mongodb',
    className: 'MongoDBInstrumentation',
    config: (settings) => ({ ...databaseConfigs(settings)['@opentelemetry/instrumentation-mongodb'] }),
  },
  {
    name: 'mysql2',
    packages: ['mysql2'],
    module: '@opentelemetry/instrumentation-mysql2',
    className: 'MySQL2Instrumentation',
    config: (settings) => ({ ...databaseConfigs(settings)['@opentelemetry/instrumentation-mysql2'] }),
  },
  {
    name: 'aws-lambda',
    packages: [],
    whenNamed: true,
    module: '@opentelemetry/instrumentation-aws-lambda',
    className: 'AwsLambdaInstrumentation',
    install: 'npm install @opentelemetry/instrumentation-aws-lambda',
    config: () => ({}),
  },
];

/**
 * The optional instrumentations selected (OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS) whose library the app has.
 * For an app without any of those libraries this costs a few existence checks; only the instrumentations of the
 * libraries it has are loaded. `only`: the names to consider (the `all` set brings its own Koa, pg…).
 */
export function optionalInstrumentations(
  settings: ClientSettings,
  only: readonly InstrumentationName[] = OPTIONAL_INSTRUMENTATIONS.map((o) => o.name),
  app: AppPackages = new AppPackages(),
): Instrumentation[] {
  const result: Instrumentation[] = [];
  for (const optional of OPTIONAL_INSTRUMENTATIONS) {
    if (!only.includes(optional.name)) continue;
    if (!isSelected(optional.name, settings.instrumentations, !optional.whenNamed)) continue;
    const library = optional.packages.find((p) => app.has(p));
    if (!optional.whenNamed && library === undefined) continue;
    // Our dependencies from our own copy; an optional peer from the app's.
    const exports = app.load<Record<string, InstrumentationClass>>(optional.module, !optional.install);
    const Class = exports?.[optional.className];
    if (!Class) {
      diag.warn(missingMessage(optional, library));
      continue;
    }
    result.push(new Class(optional.config(settings)));
  }
  return result;
}

/** The one line for an instrumentation whose package is missing: what is not traced, and the fix. */
export function missingMessage(optional: Optional, library: string | undefined): string {
  const why = library
    ? `${library} is installed but ${optional.module} is not, so ${optional.name} is not traced`
    : `OTEL_NODE_ENABLED_INSTRUMENTATIONS names ${optional.name}, but ${optional.module} is not installed`;
  return `@milvus-otel/node: ${why}. Fix: ${optional.install ?? `npm install ${optional.module}`} (or OTEL_NODE_DISABLED_INSTRUMENTATIONS=${optional.name} to go without).`;
}
