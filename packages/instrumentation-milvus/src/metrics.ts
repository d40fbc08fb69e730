/*
 * The database client metric: `db.client.operation.duration`, one point per Milvus operation, with the span's
 * low-cardinality attributes (system, operation, collection, database, server, and on failure the error).
 */
import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import {
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_ERROR_TYPE,
  METRIC_DB_CLIENT_OPERATION_DURATION,
} from '@opentelemetry/semantic-conventions';

/** The explicit bucket boundaries, in seconds, the database semantic conventions give this histogram. */
export const DB_CLIENT_OPERATION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10,
]);

/** Creates the `db.client.operation.duration` histogram (seconds) on a meter. */
export function createOperationDuration(meter: Meter): Histogram<Attributes> {
  return meter.createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
    description: 'Duration of database client operations.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DB_CLIENT_OPERATION_DURATION_BUCKETS] },
  });
}

/**
 * Records one operation that started at `startMs` (`performance.now()`). `attributes` are the operation's own (see
 * `operationAttributes` in instrumentation.ts), owned by this call: a failure's `error.type` and, when Milvus returned
 * a status, `db.response.status_code` are added to them.
 */
export function recordOperation(
  histogram: Histogram<Attributes>,
  startMs: number,
  attributes: Attributes,
  errorType?: string,
  statusCode?: string,
): void {
  const seconds = (performance.now() - startMs) / 1000;
  if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
  if (statusCode !== undefined) attributes[ATTR_DB_RESPONSE_STATUS_CODE] = statusCode;
  histogram.record(seconds, attributes);
}
