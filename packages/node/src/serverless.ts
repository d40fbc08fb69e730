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

export type Handler<E, R> = (event: E, context: LambdaContext) => Promise<R>;

export interface LambdaTracingOptions {
  /** Span name; defaults to `<METHOD> <route>` for HTTP events, else the function name. */
  spanName?: string;
  /** The most the flush after each invocation may take. @default 2000 */
  flushTimeoutMs?: number;
}

/** What the span takes from an API Gateway HTTP API (2.0) event: only fields of the expected type. */
interface HttpFields {
  method?: string;
  route?: string;
  rawPath?: string;
  headers?: Record<string, string>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;
const nonEmptyString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * The event is whatever the invoker sent (any JSON value, or anything at all in a direct call): a field of another
 * type is left out rather than trusted, so no event keeps the invocation span from starting or the handler from
 * running; what to answer to such an event is the handler's call.
 */
function httpFields(event: unknown): HttpFields {
  try {
    if (!isObject(event)) return {};
    const requestContext = event.requestContext;
    const http = isObject(requestContext) ? requestContext.http : undefined;
    const routeKey = nonEmptyString(event.routeKey);
    const headers: Record<string, string> = {};
    if (isObject(event.headers)) {
      for (const [key, value] of Object.entries(event.headers)) {
        if (typeof value === 'string') headers[key] = value;
      }
    }
    return {
      method: nonEmptyString(isObject(http) ? http.method : undefined),
      // `GET /search` → `/search`; `$default` (the catch-all route) names no route.
      route:
        routeKey && routeKey !== '$default'
          ? nonEmptyString(routeKey.split(' ').slice(1).join(' '))
          : undefined,
      rawPath: nonEmptyString(event.rawPath),
      headers,
    };
  } catch {
    return {}; // a getter or proxy that throws: the handler meets it too, inside the span
  }
}

/** A thrown value's message, whatever was thrown. */
function messageOf(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  const message = isObject(error) ? error.message : undefined;
  return typeof message === 'string' ? message : undefined;
}

const headerGetter: TextMapGetter<Record<string, string | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const found = Object.keys(carrier).find((k) => k.toLowerCase() === key);
    return found === undefined ? undefined : carrier[found];
  },
};

let coldStart = true;

/** @deprecated Renamed {@link LambdaTracingOptions}; this name is removed in the next minor release. */
export type WithTracingOptions = LambdaTracingOptions;

/**
 * Wraps an AWS Lambda handler: one SERVER span per invocation (faas semantic conventions, cold-start flag,
 * parent from the incoming traceparent), the handler's spans under it, and a flush of every span BEFORE the
 * response is returned — the runtime may freeze or kill the process right after, so nothing is left in a queue.
 */
export function withLambdaTracing<E, R>(
  handler: Handler<E, R>,
  options: LambdaTracingOptions = {},
): Handler<E, R> {
  const tracer = trace.getTracer('@milvus-otel/node');
  return async (event: E, lambda: LambdaContext) => {
    const { method, route, rawPath, headers } = httpFields(event);
    const name = options.spanName ?? (method ? `${method} ${route ?? rawPath ?? '/'}` : lambda.functionName);
    const parent: Context = propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);
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
          ...(rawPath ? { [ATTR_URL_PATH]: rawPath } : {}),
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
      // Anything may be thrown (null, a string…): recording it must not replace it with an error of its own.
      span.recordException(typeof error === 'object' && error !== null ? (error as Error) : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
      await flushWithin(options.flushTimeoutMs ?? 2000);
    }
  };
}

/**
 * @deprecated Renamed {@link withLambdaTracing} (it wraps AWS Lambda handlers only); this name is removed in the next
 * minor release.
 */
export const withTracing: typeof withLambdaTracing = withLambdaTracing;

async function flushWithin(ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([forceFlush(), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
