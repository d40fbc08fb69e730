import { isDescendant, type Trace } from '@milvus-otel/jaeger-query';
import { freePort } from '@milvus-otel/stack';

export { freePort };

import type { FunctionProcess } from '../scripts/rie.ts';

export interface Response {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** One invocation through the emulator; a function error (no statusCode) fails with the emulator's output. */
export async function invoke(fn: FunctionProcess, event: unknown): Promise<Response> {
  const res = await fetch(fn.invokeUrl, {
    method: 'POST',
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  const parsed = JSON.parse(text) as Partial<Response>;
  if (typeof parsed.statusCode !== 'number') {
    throw new Error(`invocation failed: ${text}\n--- emulator and runtime output ---\n${fn.output()}`);
  }
  return parsed as Response;
}

/**
 * One invocation with `payload` as the request body, byte for byte (JSON or not): the emulator's answer, parsed —
 * the handler's result, or the runtime's error report.
 */
export async function invokeRaw(fn: FunctionProcess, payload: string | Uint8Array): Promise<unknown> {
  const res = await fetch(fn.invokeUrl, {
    method: 'POST',
    body: payload,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(
      `the emulator answered ${res.status} with no JSON: ${text}\n--- output ---\n${fn.output()}`,
    );
  }
}

/** The invocation span → `search <collection>` client span → the Milvus server spans under it. */
export function spanChain(trace: Trace | undefined, service: string, collection: string) {
  const spans = trace?.spans ?? [];
  const invocation = spans.find((s) => s.service === service && s.tags['faas.trigger'] === 'http');
  const client = spans.find(
    (s) => s.service === service && s.name === `search ${collection}` && s.parentId === invocation?.spanId,
  );
  const server = spans.filter(
    (s) => s.service !== service && trace !== undefined && client && isDescendant(trace, s, client.spanId),
  );
  return { invocation, client, server };
}

export { type LateMilvus, lateMilvus } from '@milvus-otel/stack';
