import * as z from 'zod';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT } from '../otlp.js';

export const MILVUS_EXPORTERS = ['otlp', 'jaeger', 'stdout', 'noop'] as const;
export type MilvusExporter = (typeof MILVUS_EXPORTERS)[number];

/**
 * The Milvus server's `trace:` section (milvus.yaml / user.yaml), with the Milvus release that first reads each key.
 * Sources: Milvus's paramtable (`traceConfig`) and the 2.3 configuration template.
 */
export const milvusTraceSchema = z
  .strictObject({
    exporter: z
      .enum(MILVUS_EXPORTERS)
      .optional()
      .describe('Where the server sends spans. Milvus default: noop (2.3: stdout).'),
    sampleFraction: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        'Share of requests WITHOUT a sampled parent that are traced (Milvus samples parent-based). Default 0.',
      ),
    jaeger: z
      .strictObject({
        url: z
          .string()
          .optional()
          .describe('Jaeger collector Thrift HTTP URL, e.g. http://jaeger-collector:14268/api/traces'),
      })
      .optional(),
    otlp: z
      .strictObject({
        endpoint: z
          .string()
          .optional()
          .describe(
            `host:port without a scheme, e.g. jaeger:${OTLP_GRPC_PORT} (grpc) or jaeger:${OTLP_HTTP_PORT} (http)`,
          ),
        method: z
          .enum(['grpc', 'http'])
          .optional()
          .describe('OTLP transport (Milvus ≥ 2.4.7). Default grpc.'),
        secure: z.boolean().optional().describe('TLS to the collector. Milvus default: true.'),
      })
      .optional(),
    initTimeoutSeconds: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('How long segcore waits for the OTLP exporter at start-up (Milvus ≥ 2.4.4). Default 10.'),
  })
  .describe('The trace: section of milvus.yaml / user.yaml');

export type MilvusTraceConfig = z.infer<typeof milvusTraceSchema>;

/** Keys and values that only some Milvus versions read. */
export const INTRODUCED_IN: readonly {
  readonly key: string;
  readonly since: string;
  readonly value?: string;
}[] = [
  { key: 'trace.otlp.method', since: '2.4.7' },
  { key: 'trace.initTimeoutSeconds', since: '2.4.4' },
  { key: 'trace.exporter', value: 'noop', since: '2.4.0' },
];
