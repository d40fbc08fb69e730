import * as z from 'zod';
import { CLIENT_ENV } from '../client-env.js';
import { jaegerSettingsSchema } from './jaeger.js';
import { milvusTraceSchema } from './trace-schema.js';

/**
 * The schemas as JSON Schema (draft 2020-12), for editors and for tools in other languages.
 * Also shipped as files: `@milvus-otel/config/schemas/<name>.schema.json`.
 */
export function jsonSchemas(): Record<'client-env' | 'milvus-trace' | 'jaeger-settings', object> {
  return {
    'client-env': {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'Client tracing environment (OTEL_* and MILVUS_*)',
      type: 'object',
      properties: Object.fromEntries(
        Object.entries(CLIENT_ENV).map(([key, setting]) => [
          key,
          { type: 'string', description: `${setting.expected}. ${setting.fix}` },
        ]),
      ),
    },
    'milvus-trace': z.toJSONSchema(milvusTraceSchema, { target: 'draft-2020-12' }),
    'jaeger-settings': z.toJSONSchema(jaegerSettingsSchema, { target: 'draft-2020-12', io: 'input' }),
  };
}
