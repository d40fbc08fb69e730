import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/** Trace context carried inside a job's data (W3C `traceparent`, `tracestate`, `baggage`). */
export type TraceCarrier = Record<string, string>;

// Messaging attributes are experimental in the semantic conventions: copied here.
const ATTR_MESSAGING_SYSTEM = 'messaging.system';
const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';

/** The active context (the producer's span, baggage) as a plain object to put in job data or message headers. */
export function injectContext(carrier: TraceCarrier = {}): TraceCarrier {
  propagation.inject(context.active(), carrier);
  return carrier;
}

export interface ProducerOptions {
  /** Queue / topic name. */
  queue: string;
  /** Messaging system, e.g. `bullmq`. @default 'bullmq' */
  system?: string;
  attributes?: Attributes;
}

/**
 * Runs `send` inside a PRODUCER span named `send <queue>` and hands it the carrier to store with the job, so the
 * consumer can link to (and continue) this trace.
 */
export async function traceProducer<T>(
  options: ProducerOptions,
  send: (carrier: TraceCarrier) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('@milvus-otel/node');
  return tracer.startActiveSpan(
    `send ${options.queue}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: options.system ?? 'bullmq',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
        [ATTR_MESSAGING_OPERATION_NAME]: 'send',
        [ATTR_MESSAGING_DESTINATION_NAME]: options.queue,
        ...options.attributes,
      },
    },
    async (span) => {
      try {
        return await send(injectContext());
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export interface ConsumerOptions {
  queue: string;
  system?: string;
  /** The job / message id. */
  messageId?: string;
  /**
   * Continue the producer's trace (its span becomes the parent) as well as linking to it. With false the job
   * starts a new trace that only links back. @default true
   */
  continueTrace?: boolean;
  attributes?: Attributes;
}

/**
 * Runs `process` inside a CONSUMER span `process <queue>` that links to the producer span found in `carrier` and,
 * by default, continues its trace. Failures set the span's status and are recorded as exception events, so retries
 * show up as separate failed attempts.
 */
export async function traceConsumer<T>(
  carrier: TraceCarrier | undefined,
  options: ConsumerOptions,
  process: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer('@milvus-otel/node');
  const remote = propagation.extract(ROOT_CONTEXT, carrier ?? {});
  const producer = trace.getSpanContext(remote);
  const links: Link[] = producer
    ? [{ context: producer, attributes: { 'messaging.link.source': 'producer' } }]
    : [];
  const parent = options.continueTrace === false ? ROOT_CONTEXT : remote;
  return tracer.startActiveSpan(
    `process ${options.queue}`,
    {
      kind: SpanKind.CONSUMER,
      links,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: options.system ?? 'bullmq',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [ATTR_MESSAGING_DESTINATION_NAME]: options.queue,
        ...(options.messageId ? { [ATTR_MESSAGING_MESSAGE_ID]: options.messageId } : {}),
        ...options.attributes,
      },
    },
    withBaggageOf(remote, parent),
    async (span) => {
      try {
        return await process(span);
      } catch (error) {
        fail(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The producer's baggage travels with the job too, also when the consumer starts a new trace. */
function withBaggageOf(remote: Context, parent: Context): Context {
  const baggage = propagation.getBaggage(remote);
  return baggage ? propagation.setBaggage(parent, baggage) : parent;
}

function fail(span: Span, error: unknown): void {
  span.recordException(error as Error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
}
