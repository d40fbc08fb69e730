import { describe, expect, it } from 'vitest';
import { isRetryableExportError, retryDelayMs } from '../src/export-retry.ts';

/** A grpc-js ServiceError as the OTLP gRPC exporter reports a collector that is down. */
const unavailable = () =>
  Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'x' });
/** An OTLPExporterError of the http exporters for data the collector refuses. */
const badRequest = () => Object.assign(new Error('Bad Request'), { name: 'OTLPExporterError', code: 400 });

describe('isRetryableExportError', () => {
  it.each([
    ['gRPC UNAVAILABLE (collector down)', unavailable(), true],
    [
      'gRPC DEADLINE_EXCEEDED (collector hangs)',
      Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }),
      true,
    ],
    ['gRPC RESOURCE_EXHAUSTED', Object.assign(new Error('8'), { code: 8 }), true],
    ['gRPC INVALID_ARGUMENT', Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 }), false],
    ['gRPC UNAUTHENTICATED', Object.assign(new Error('16'), { code: 16 }), false],
    ['HTTP 503', Object.assign(new Error('Service Unavailable'), { code: 503 }), true],
    ['HTTP 429', Object.assign(new Error('Too Many Requests'), { code: 429 }), true],
    ['HTTP 400', badRequest(), false],
    ['HTTP 401', Object.assign(new Error('Unauthorized'), { code: 401 }), false],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }),
      true,
    ],
    ['the http exporter timeout', new Error('Request timed out'), true],
    ['retries used up', new Error('Export failed with retryable status'), true],
    ['our own export timeout', new Error('export timed out after 30000 ms'), true],
    ['concurrency limit', new Error('Concurrent export limit reached'), true],
    ['nothing to send', new Error('Nothing to send'), false],
    ['no reason given', undefined, true],
  ])('%s → %s', (_name, error, retryable) => {
    expect(isRetryableExportError(error)).toBe(retryable);
  });
});

describe('retryDelayMs', () => {
  it('starts at 1 s, grows ×1.5, ±20 % jitter, at most 5 s', () => {
    expect(retryDelayMs(1, () => 0.5)).toBe(1000);
    expect(retryDelayMs(2, () => 0.5)).toBe(1500);
    expect(retryDelayMs(50, () => 0.5)).toBe(5000);
    expect(retryDelayMs(1, () => 0)).toBe(800);
    expect(retryDelayMs(50, () => 1)).toBe(5000);
    expect(retryDelayMs(5, () => 0)).toBe(4050);
  });
});
