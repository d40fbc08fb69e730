/**
 * Waiting for Milvus at start-up. For up to a minute after Milvus starts (longer when it reloads collections after a
 * restart) it refuses connections, lets calls run into their deadline, or answers "not ready". Preparing the
 * collection therefore retries those TRANSIENT failures with jittered exponential back-off, within a budget
 * (MILVUS_STARTUP_TIMEOUT_MS). Anything else (credentials Milvus refuses, a host that does not resolve, TLS, a bad
 * argument) fails at once, with its fix. `describeError` turns whatever the SDK throws (gRPC errors, status objects,
 * plain values) into one readable line.
 *
 * This file is the same in every example (each example stays copyable on its own); a test keeps the copies identical.
 */
import { lookup } from 'node:dns/promises';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { checkStatus, MilvusError, type MilvusStatus } from './documents.ts';

/** Thrown by a readiness check of our own, e.g. "the collection is still loading": always worth waiting for. */
export class NotReadyError extends Error {
  override name = 'NotReadyError';
}

/** Why start-up gave up: the cause in one line, then what to change. */
export class MilvusStartupError extends Error {
  override name = 'MilvusStartupError';
  readonly fix: string;
  constructor(reason: string, fix: string, cause: unknown) {
    super(`${reason}\n  Fix: ${fix}`, { cause });
    this.fix = fix;
  }
}

// --- Describing errors --------------------------------------------------------------------------------------------

/** A Milvus status: a MilvusError's, a status object the SDK threw as is, or a response's `status`. */
function statusOf(error: unknown): MilvusStatus | undefined {
  if (error instanceof MilvusError) return error.status;
  if (error instanceof Error || typeof error !== 'object' || error === null) return undefined;
  const nested = (error as { status?: unknown }).status;
  if (typeof nested === 'object' && nested !== null) return nested as MilvusStatus;
  return 'error_code' in error || 'reason' in error ? (error as MilvusStatus) : undefined;
}

function describeStatus(status: MilvusStatus): string {
  const codes = [status.error_code, status.code ? `code ${status.code}` : undefined]
    .filter(Boolean)
    .join(', ');
  return `Milvus answered ${codes || 'an error without a code'}: ${status.reason || status.detail || 'no reason given'}`;
}

/**
 * One line for any thrown value: gRPC errors keep their code and details ("14 UNAVAILABLE: …"), Milvus statuses their
 * error_code, code and reason; never "undefined" or "[object Object]".
 */
export function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'an error without any details';
  if (typeof error === 'string') return error || 'an error with an empty message';
  if (error instanceof AggregateError && error.errors.length > 0 && !error.message) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    const { code, details } = error as Error & { code?: unknown; details?: unknown };
    let text = error.message || (typeof details === 'string' && details) || error.name;
    // Node's system errors (ECONNREFUSED…) do not always repeat their code in the message.
    if (typeof code === 'string' && !text.includes(code)) text += ` (${code})`;
    if (error.cause !== undefined && !(error instanceof MilvusStartupError)) {
      const cause = describeError(error.cause);
      if (!text.includes(cause)) text += `: ${cause}`;
    }
    return text;
  }
  const status = statusOf(error);
  if (status) return describeStatus(status);
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

// --- Transient or permanent ---------------------------------------------------------------------------------------

/** What a failure means for start-up: wait and retry, or stop with the fix for that kind of problem. */
export type Verdict = 'transient' | 'credentials' | 'address' | 'tls' | 'database' | 'permanent';

/** gRPC status codes (grpc-js errors carry them as `code`, their text as `details`). */
const GRPC = {
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  ABORTED: 10,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
};

/** Milvus 2.3+ codes of a starting or recovering server (merr: service not ready/unavailable, not (fully) loaded…). */
const TRANSIENT_CODES = new Set([1, 2, 4, 8, 12, 101, 103, 106, 401, 503, 905, 1501, 1502, 1503, 1504]);
/** The same, as the legacy error_code names. */
const TRANSIENT_NAMES = new Set([
  'NotReadyServe',
  'NotReadyCoordActivating',
  'ConnectFailed',
  'NoReplicaAvailable',
  'NotShardLeader',
  'RateLimit',
  'DataCoordNA',
  'TimeTickLongDelay',
]);
const TRANSIENT_TEXT =
  /not ?ready|unavailable|not (?:yet )?healthy|stage=|initializ|starting|recovering|not (?:fully )?loaded|loading|no available|not available|shard leader|rate limit|connection (?:refused|reset|closed|dropped)|econnrefused|econnreset|epipe|etimedout|eai_again|socket hang up|rst_stream|goaway|deadline exceeded|timed? ?out/i;
/** Node's system errors of a peer that is not there yet. */
const TRANSIENT_SYSCALLS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const CREDENTIALS_TEXT =
  /unauthenticated|not authenticated|auth(?:entication)? check fail|authenticat\w* fail|permission denied|privilege|password|credential|invalid token|api key/i;
const TLS_TEXT = /\bssl\b|\btls\b|certificate|handshake|wrong version number/i;

/** Every piece of text an error carries: message, gRPC details, status reason/detail and code name. */
function textOf(error: unknown): string {
  const status = statusOf(error);
  const parts = [describeError(error), status?.error_code, status?.detail];
  return parts.filter((p) => typeof p === 'string').join(' ');
}

/** Milvus codes may carry flag bits above the reason code (some 2.3 builds): compare the low 16 bits. */
const reasonCode = (status: MilvusStatus | undefined) => (status?.code ?? 0) & 0xffff;

function permanentKind(error: unknown, text: string): Verdict | undefined {
  const { code } = (error ?? {}) as { code?: unknown };
  const status = statusOf(error);
  const grpc = error instanceof Error && typeof code === 'number' ? code : undefined;
  if (
    grpc === GRPC.UNAUTHENTICATED ||
    grpc === GRPC.PERMISSION_DENIED ||
    status?.error_code === 'PermissionDenied' ||
    [1400, 1401, 1800].includes(reasonCode(status)) ||
    CREDENTIALS_TEXT.test(text)
  ) {
    return 'credentials';
  }
  if (code === 'ENOTFOUND' || /\bENOTFOUND\b/.test(text)) return 'address';
  if (TLS_TEXT.test(text)) return 'tls';
  if (reasonCode(status) === 800 || /database not found/i.test(text)) return 'database';
  return undefined;
}

function looksTransient(error: unknown, text: string): boolean {
  if (error instanceof NotReadyError) return true;
  const status = statusOf(error);
  if (status) {
    return (
      status.retriable === true ||
      TRANSIENT_CODES.has(reasonCode(status)) ||
      TRANSIENT_NAMES.has(String(status.error_code)) ||
      TRANSIENT_TEXT.test(text)
    );
  }
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  // Node's system errors: ECONNREFUSED, EAI_AGAIN…
  if (typeof code === 'string') return TRANSIENT_SYSCALLS.has(code);
  // gRPC errors: the server is unreachable, too slow, or the call raced another one.
  if (typeof code === 'number') {
    return (
      code === GRPC.UNAVAILABLE ||
      code === GRPC.DEADLINE_EXCEEDED ||
      code === GRPC.ABORTED ||
      TRANSIENT_TEXT.test(text)
    );
  }
  // Plain errors, e.g. the SDK's loadCollectionSync: "ErrorCode: NotReadyServe. Reason: …".
  return TRANSIENT_TEXT.test(text);
}

/** Transient: Milvus is (re)starting or loading, and the same call is expected to succeed later. */
export function classifyError(error: unknown): Verdict {
  const text = textOf(error);
  return permanentKind(error, text) ?? (looksTransient(error, text) ? 'transient' : 'permanent');
}

const COLLECTION_MISSING = /collection not found|can't find collection|collection \S+ does not exist/i;

/**
 * A failed call that may succeed later: Milvus unreachable, starting, overloaded or past the deadline (transient), or
 * the collection missing until it is restored (an operator restores it, a restarted process recreates it). Anything
 * else is Milvus refusing the request: a retry would fail the same way.
 */
export function failsForNow(error: unknown): boolean {
  return classifyError(error) === 'transient' || COLLECTION_MISSING.test(describeError(error));
}

const FIXES: Record<Exclude<Verdict, 'transient'>, string> = {
  credentials: 'set MILVUS_TOKEN (or MILVUS_USERNAME and MILVUS_PASSWORD) to credentials this Milvus accepts',
  address: 'point MILVUS_ADDRESS at a host that resolves, e.g. MILVUS_ADDRESS=localhost:19530',
  tls: 'set MILVUS_TLS=true only for a TLS endpoint (MILVUS_TLS_ROOT_CERT / MILVUS_TLS_SERVER_NAME for a private CA), else unset it',
  database: 'set MILVUS_DATABASE to a database that exists on this Milvus, or create it',
  permanent: 'check MILVUS_ADDRESS, MILVUS_TOKEN, MILVUS_DATABASE and DOCS_COLLECTION against this Milvus',
};

// --- Retrying -----------------------------------------------------------------------------------------------------

/** The pauses between attempts: from 0.5 s, doubling, at most 5 s. */
export const BACKOFF = { initialMs: 500, maxMs: 5000 } as const;
/** A progress line at most this often (the first failure is always reported). */
const LOG_EVERY_MS = 10_000;

/**
 * The pause after the `attempt`-th failure (1-based): 0.5 s, 1 s, 2 s, 4 s, then 5 s; each drawn from the upper half
 * of its step ("equal jitter"), so apps restarted together do not retry in step.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const nominal = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(nominal / 2 + (nominal / 2) * random());
}

export interface RetryOptions {
  /** MILVUS_ADDRESS, for the messages. */
  address: string;
  /** How long transient failures are retried, in ms (MILVUS_STARTUP_TIMEOUT_MS); no attempt runs past it. */
  timeoutMs: number;
  /** Progress lines: "waiting for Milvus at …". */
  log: (line: string) => void;
  /** Jitter source; tests pin it. */
  random?: () => number;
}

const seconds = (ms: number) => Math.round(ms / 1000);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** setTimeout as a promise that an AbortSignal cancels (global timers, so tests can fake them). */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** An attempt still running when the budget ran out. */
class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Runs one attempt for at most `ms`; past that its signal is aborted (so it can close what it opened). */
async function withDeadline<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const attempt = new AbortController();
  const timer = new AbortController();
  const running = work(attempt.signal);
  const expired = sleep(ms, timer.signal).then(
    () => {
      throw new DeadlineError(`still no answer after ${seconds(ms)} s`);
    },
    () => new Promise<never>(() => {}), // cancelled: the attempt settled first
  );
  try {
    return await Promise.race([running, expired]);
  } catch (error) {
    if (error instanceof DeadlineError) {
      attempt.abort(error);
      running.catch(() => undefined); // it fails once aborted; nobody waits for it any more
    }
    throw error;
  } finally {
    timer.abort();
  }
}

function gaveUp(options: RetryOptions, attempts: number, last: unknown): MilvusStartupError {
  return new MilvusStartupError(
    `Milvus did not become ready within ${seconds(options.timeoutMs)} s (${plural(attempts, 'attempt')}); ` +
      `the last failure: ${describeError(last)}`,
    'start Milvus, or point MILVUS_ADDRESS (and MILVUS_TOKEN / MILVUS_TLS) at it; if it is only slow to start, ' +
      `raise MILVUS_STARTUP_TIMEOUT_MS (now ${options.timeoutMs})`,
    last,
  );
}

/**
 * Runs `work` until it succeeds: a transient failure is retried after `backoffDelay` until `timeoutMs` have passed;
 * any other failure ends it at once. Throws a MilvusStartupError whose message names the cause and the fix.
 */
export async function retryTransient<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { address, timeoutMs, log } = options;
  const start = Date.now();
  const elapsed = () => Date.now() - start;
  let loggedAt = Number.NEGATIVE_INFINITY;
  let lastFailure: unknown;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      const result = await withDeadline(work, timeoutMs - elapsed());
      if (attempt > 1)
        log(`Milvus at ${address} is ready after ${seconds(elapsed())} s (attempt ${attempt})`);
      return result;
    } catch (error) {
      failure = error;
    }
    if (failure instanceof DeadlineError) throw gaveUp(options, attempt, lastFailure ?? failure);
    const verdict = classifyError(failure);
    if (verdict !== 'transient') {
      throw new MilvusStartupError(
        `${describeError(failure)} (not retried: waiting would not fix this)`,
        FIXES[verdict],
        failure,
      );
    }
    lastFailure = failure;
    const spent = elapsed();
    if (spent >= timeoutMs) throw gaveUp(options, attempt, failure);
    if (spent - loggedAt >= LOG_EVERY_MS) {
      log(
        `waiting for Milvus at ${address}: ${describeError(failure)} (${seconds(spent)} s of ${seconds(timeoutMs)} s)`,
      );
      loggedAt = spent;
    }
    await sleep(Math.min(backoffDelay(attempt, options.random), timeoutMs - spent));
    if (elapsed() >= timeoutMs) throw gaveUp(options, attempt, failure);
  }
}

// --- Milvus ---------------------------------------------------------------------------------------------------------

/** The host of MILVUS_ADDRESS (host:port or an http(s):// URL), for a DNS check; undefined when there is none. */
export function hostOf(address: string): string | undefined {
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`);
    return url.hostname.replace(/^\[|\]$/g, '') || undefined;
  } catch {
    return undefined;
  }
}

/** The SDK's connect settles once, and resolves even when Milvus answered it with an error status ("not ready"…). */
async function connected(client: MilvusClient): Promise<void> {
  const response = (await client.connectPromise) as unknown as { status?: MilvusStatus } | undefined;
  if (response?.status) checkStatus('connect', response);
}

let connections = 0;

/**
 * Channel options that give one client a connection of its own. grpc-js shares a connection between all clients of an
 * address whose options are equal, so a retry's new client inherited the failed connection's reconnect back-off and
 * failed at once for seconds after Milvus was up. The options differ per call (an option grpc-js ignores), yet are
 * the same for the SDK's pooled channels of that one client: they keep sharing one connection, and so recover
 * together. ('grpc.use_local_subchannel_pool' gave each pooled channel its own connection and back-off: after an
 * outage some of the ten kept failing for seconds after the others were back.)
 */
export function ownConnection(): Record<string, number> {
  connections += 1;
  return { 'milvus_otel.connection': connections };
}

/**
 * A client that is connected and `prepare`d (collection created, loaded…), retrying transient failures as
 * `retryTransient` does. Each attempt uses a new client from `create` (give it `channelOptions: ownConnection()`): the SDK
 * connects once, in its constructor, so a client whose connect failed stays failed. A failed or abandoned attempt's
 * client is closed.
 */
export function connectWhenReady(
  create: () => MilvusClient,
  prepare: (client: MilvusClient) => Promise<void>,
  options: RetryOptions,
): Promise<MilvusClient> {
  const host = hostOf(options.address);
  return retryTransient(async (signal) => {
    // A host that does not resolve fails here, at once (ENOTFOUND); the SDK would report it as UNAVAILABLE.
    if (host) await lookup(host);
    const client = create();
    client.connectPromise.catch(() => undefined); // awaited in connected(); this only marks it handled
    const close = () => void client.closeConnection().catch(() => undefined);
    signal.addEventListener('abort', close, { once: true });
    try {
      await connected(client);
      await prepare(client);
      signal.throwIfAborted();
      return client;
    } catch (error) {
      close();
      throw error;
    } finally {
      signal.removeEventListener('abort', close);
    }
  }, options);
}
