/**
 * The producer side of the ingest queue. The job contract, shared with the worker that consumes it:
 * name `ingest`, data `{ documents, trace }` where `trace` is the W3C trace context of the request that enqueued it,
 * so the worker's spans continue (and link to) this trace.
 */
import { type TraceCarrier, traceProducer } from '@milvus-otel/node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Document } from './documents.ts';

export const INGEST_JOB = 'ingest';

export interface IngestJobData {
  documents: Document[];
  trace: TraceCarrier;
}

export interface IngestQueue {
  /** Adds one job; resolves with its id once Redis has it. */
  enqueue(documents: Document[]): Promise<string>;
  close(): Promise<void>;
}

/** Thrown when Redis does not take the job in time (down, unreachable, still connecting). */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

/** How long a request waits for Redis before answering 503: BullMQ waits for a connection indefinitely otherwise. */
const ENQUEUE_TIMEOUT_MS = 5000;

export function createIngestQueue(redisUrl: string, name: string): IngestQueue {
  const connection = new Redis(redisUrl, {
    // BullMQ needs this on its connections; and an HTTP request should fail fast while Redis is away rather than
    // wait in ioredis's offline queue.
    maxRetriesPerRequest: null,
    enableOfflineQueue: false,
  });
  // Without a listener ioredis reports every reconnect attempt as an unhandled 'error' event.
  connection.on('error', (error) => console.error(`redis: ${error.message}`));
  const queue = new Queue<IngestJobData, unknown, typeof INGEST_JOB>(name, { connection });
  queue.on('error', (error) => console.error(`ingest queue: ${error.message}`));

  return {
    async enqueue(documents) {
      // The PRODUCER span `send <queue>` is a child of the request's span; the carrier holds its context.
      const job = await traceProducer({ queue: name }, (trace) =>
        withTimeout(
          queue.add(
            INGEST_JOB,
            { documents, trace },
            {
              attempts: 3,
              backoff: { type: 'exponential', delay: 1000 },
              // Keep Redis from growing without bound; failed jobs stay a while for inspection.
              removeOnComplete: { count: 1000 },
              removeOnFail: { age: 7 * 24 * 3600 },
            },
          ),
        ),
      );
      return String(job.id);
    },
    async close() {
      await queue.close();
      // The queue does not own a connection it was given.
      connection.disconnect();
    },
  };
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new QueueUnavailableError(`Redis did not take the job within ${ENQUEUE_TIMEOUT_MS} ms`)),
      ENQUEUE_TIMEOUT_MS,
    );
  });
  return Promise.race([
    work.catch((error: unknown) => {
      throw new QueueUnavailableError(`Redis refused the job: ${(error as Error).message}`, { cause: error });
    }),
    timeout,
  ]).finally(() => clearTimeout(timer));
}
