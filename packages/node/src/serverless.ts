import {
  type Context,
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import { forceFlush, prepareExport } from './sdk.ts';

// FaaS / cloud attributes are still experimental in the semantic conventions: copied here, as the contrib packages do.
const ATTR_FAAS_TRIGGER = 'faas.trigger';
const ATTR_FAAS_INVOCATION_ID = 'faas.invocation_id';
const ATTR_FAAS_COLDSTART = 'faas.coldstart';
const ATTR_FAAS_NAME = 'faas.name';
const ATTR_FAAS_VERSION = 'faas.version';
const ATTR_CLOUD_PROVIDER = 'cloud.provider';
const ATTR_CLOUD_RESOURCE_ID = 'cloud.resource_id';

/** The parts of the AWS Lambda context the wrapper reads. */
export interface LambdaContext {
  awsRequestId: string;
  functionName: string;
  functionVersion?: string;
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?: () => number;
}

/** An API Gateway HTTP API (v2) event, or anything with headers. */
interface HttpEvent {
  headers?: Record<string, string | undefined>;
  rawPath?: string;
  routeKey?: string;
  requestContext?: { http?: { method?: string; path?: string } };
}

export type Handler<E, R> = (event: E, context: LambdaContext) => Promise<R>;

export interface WithTracingOptions {
  /** Span name; defaults to `<METHOD> <route>` for HTTP events, else the function name. */
  spanName?: string;
  /** The most the flush after each invocation may take. @default 2000 */
  flushTimeoutMs?: number;
}

const headerGetter: TextMapGetter<Record<string, string | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const found = Object.keys(carrier).find((k) => k.toLowerCase() === key);
    return found === undefined ? undefined : carrier[found];
  },
};

let coldStart = true;

/**
 * Wraps an AWS-Lambda-style handler: one SERVER span per invocation (faas semantic conventions, cold-start flag,
 * parent from the incoming traceparent), the handler's spans under it, and a flush of every span BEFORE the
 * response is returned — the runtime may freeze or kill the process right after, so nothing is left in a queue.
 */
export function withTracing<E, R>(handler: Handler<E, R>, options: WithTracingOptions = {}): Handler<E, R> {
  const tracer = trace.getTracer('@milvus-otel/node');
  return async (event: E, lambda: LambdaContext) => {
    const http = (event ?? {}) as HttpEvent;
    const method = http.requestContext?.http?.method;
    const route =
      http.routeKey && http.routeKey !== '$default' ? http.routeKey.split(' ').slice(1).join(' ') : undefined;
    const name =
      options.spanName ?? (method ? `${method} ${route ?? http.rawPath ?? '/'}` : lambda.functionName);
    const parent: Context = http.headers
      ? propagation.extract(ROOT_CONTEXT, http.headers, headerGetter)
      : ROOT_CONTEXT;
    const isCold = coldStart;
    coldStart = false;

    const span = tracer.startSpan(
      name,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_FAAS_TRIGGER]: method ? 'http' : 'other',
          [ATTR_FAAS_INVOCATION_ID]: lambda.awsRequestId,
          [ATTR_FAAS_COLDSTART]: isCold,
          [ATTR_FAAS_NAME]: lambda.functionName,
          ...(lambda.functionVersion ? { [ATTR_FAAS_VERSION]: lambda.functionVersion } : {}),
          [ATTR_CLOUD_PROVIDER]: 'aws',
          ...(lambda.invokedFunctionArn ? { [ATTR_CLOUD_RESOURCE_ID]: lambda.invokedFunctionArn } : {}),
          ...(method ? { [ATTR_HTTP_REQUEST_METHOD]: method } : {}),
          ...(http.rawPath ? { [ATTR_URL_PATH]: http.rawPath } : {}),
          ...(route ? { [ATTR_HTTP_ROUTE]: route } : {}),
        },
      },
      parent,
    );
    // The flush before returning needs the exporter, loaded on first use: on a cold start, load it while the handler
    // waits for its first I/O rather than after it returns.
    if (isCold) setImmediate(prepareExport);
    try {
      const result = await context.with(trace.setSpan(parent, span), () => handler(event, lambda));
      const status = (result as { statusCode?: unknown } | undefined)?.statusCode;
      if (typeof status === 'number') {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
      await flushWithin(options.flushTimeoutMs ?? 2000);
    }
  };
}

async function flushWithin(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([forceFlush(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
