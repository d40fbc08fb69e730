import * as z from 'zod';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT } from '../otlp.js';
import { atLeast, normalizeMilvusVersion } from './version.js';

export const MILVUS_EXPORTERS = ['otlp', 'jaeger', 'stdout', 'noop'] as const;
export type MilvusExporter = (typeof MILVUS_EXPORTERS)[number];

/** One key of the `trace:` section: the first Milvus release that reads it and Milvus's default. */
export interface MilvusTraceKey {
  /** Dotted, as in milvus.yaml: `trace.otlp.endpoint`. */
  readonly key: string;
  /** The first release that reads the key (the release that shipped it, not paramtable's `Version:` string). */
  readonly since: string;
  /** Milvus's default, from the release given on; undefined: unset (upstream's milvus.yaml leaves it empty). */
  readonly defaults: readonly { readonly since: string; readonly value: string | undefined }[];
  /** The values Milvus takes, in words. */
  readonly values: string;
  /** Where `since` comes from upstream (milvus-io/milvus). */
  readonly source: string;
}

/**
 * What each Milvus release reads, from milvus-io/milvus: `pkg/util/paramtable/component_param.go` (traceConfig),
 * `configs/milvus.yaml` and the release notes of each line. The schema, the version checks, the defaults in the
 * cross-checks and the README's table all come from here.
 */
export const MILVUS_TRACE_KEYS: readonly MilvusTraceKey[] = [
  {
    key: 'trace.exporter',
    since: '2.3.0',
    defaults: [
      { since: '2.3.0', value: 'stdout' },
      { since: '2.4.3', value: 'noop' },
    ],
    values: '`otlp`, `jaeger` (deprecated), `stdout`, `noop` (2.4.3+)',
    source: 'noop and the noop default: #32169, first in 2.4.3',
  },
  {
    key: 'trace.sampleFraction',
    since: '2.3.0',
    defaults: [{ since: '2.3.0', value: '0' }],
    values: '0..1; applies only to requests without a sampled parent',
    source: '2.3.0',
  },
  {
    key: 'trace.jaeger.url',
    since: '2.3.0',
    defaults: [{ since: '2.3.0', value: undefined }],
    values: '`http://jaeger-collector:14268/api/traces`',
    source: '2.3.0',
  },
  {
    key: 'trace.otlp.endpoint',
    since: '2.3.0',
    defaults: [{ since: '2.3.0', value: undefined }],
    values: '`host:port`, no scheme',
    source: '2.3.0',
  },
  {
    key: 'trace.otlp.method',
    since: '2.4.7',
    // Upstream's default is empty, which means grpc.
    defaults: [{ since: '2.4.7', value: 'grpc' }],
    values: '`grpc` or `http`',
    source: '#35073 (2.4 pick of #35053)',
  },
  {
    key: 'trace.otlp.secure',
    since: '2.3.4',
    defaults: [{ since: '2.3.4', value: 'true' }],
    values: '`true` (TLS) or `false`; before 2.3.4 OTLP always uses TLS',
    source: '#29131 (2.3 pick of #29115), first in 2.3.4',
  },
  {
    key: 'trace.otlp.headers',
    since: '2.6.0',
    defaults: [{ since: '2.6.0', value: undefined }],
    values: 'base64 of a JSON object of header names to string values; masked in errors',
    source: '#43211, first in 2.6.0',
  },
  {
    key: 'trace.initTimeoutSeconds',
    since: '2.4.6',
    defaults: [{ since: '2.4.6', value: '10' }],
    values: 'whole seconds > 0',
    source: '#34191 (2.4 pick of #33494), first in 2.4.6',
  },
];

/** Values of a key that only later releases take. */
export const MILVUS_TRACE_VALUES: readonly {
  readonly key: string;
  readonly value: string;
  readonly since: string;
}[] = [{ key: 'trace.exporter', value: 'noop', since: '2.4.3' }];

/** Keys and values that only some Milvus versions read (derived from MILVUS_TRACE_KEYS and MILVUS_TRACE_VALUES). */
export const INTRODUCED_IN: readonly {
  readonly key: string;
  readonly since: string;
  readonly value?: string;
}[] = [
  ...MILVUS_TRACE_KEYS.filter((k) => k.since !== '2.3.0').map(({ key, since }) => ({ key, since })),
  ...MILVUS_TRACE_VALUES,
];

/** Whether Milvus `version` (`2.4.5`, `v2.4`) reads `key` (`trace.initTimeoutSeconds`); false for a key it never reads. */
export function milvusReadsKey(key: string, version: string): boolean {
  const since = MILVUS_TRACE_KEYS.find((k) => k.key === key)?.since;
  const normalized = normalizeMilvusVersion(version);
  return since !== undefined && normalized !== undefined && atLeast(normalized, since);
}

/** Upstream's milvus.yaml leaves some keys empty (YAML null): that is "unset", and Milvus's default applies. */
const unset = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/**
 * The Milvus server's `trace:` section (milvus.yaml / user.yaml). Which release reads which key: MILVUS_TRACE_KEYS.
 */
export const milvusTraceSchema = z
  .strictObject({
    exporter: z
      .enum(MILVUS_EXPORTERS)
      .optional()
      .describe('Where the server sends spans. Milvus default: noop (before 2.4.3: stdout).'),
    sampleFraction: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        'Share of requests WITHOUT a sampled parent that are traced (Milvus samples parent-based). Default 0.',
      ),
    jaeger: unset(
      z.strictObject({
        url: unset(z.string()).describe(
          'Jaeger collector Thrift HTTP URL, e.g. http://jaeger-collector:14268/api/traces',
        ),
      }),
    ),
    otlp: unset(
      z.strictObject({
        endpoint: unset(z.string()).describe(
          `host:port without a scheme, e.g. jaeger:${OTLP_GRPC_PORT} (grpc) or jaeger:${OTLP_HTTP_PORT} (http)`,
        ),
        method: unset(z.enum(['grpc', 'http'])).describe('OTLP transport (Milvus ≥ 2.4.7). Default grpc.'),
        secure: z
          .boolean()
          .optional()
          .describe('TLS to the collector (Milvus ≥ 2.3.4; before, always TLS). Milvus default: true.'),
        headers: unset(z.string()).describe(
          'Headers for the OTLP exporter (Milvus ≥ 2.6.0): base64 of a JSON object of string values. A secret.',
        ),
      }),
    ),
    initTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('How long segcore waits for the OTLP exporter at start-up (Milvus ≥ 2.4.6). Default 10.'),
  })
  .describe('The trace: section of milvus.yaml / user.yaml');

type Unset<T> = T extends object ? { [K in keyof T]?: Unset<Exclude<T[K], null>> } : T;

/** A validated `trace:` section; keys left empty (null) in the file are absent here. */
export type MilvusTraceConfig = Unset<z.infer<typeof milvusTraceSchema>>;
