/**
 * Start-up's handling of a Milvus that is not there yet (src/milvus-startup.ts), without a server: which failures
 * are worth waiting for, the back-off, the budget, and the messages. The error shapes are the ones the Milvus Node SDK
 * (3.x) produces against Milvus 2.3: grpc-js errors (`code` + `details`), status objects it throws as they are, and
 * plain Errors. The same file is in every example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MilvusError } from '../src/documents.ts';
import {
  BACKOFF,
  backoffDelay,
  classifyError,
  connectWhenReady,
  describeError,
  hostOf,
  MilvusStartupError,
  NotReadyError,
  type RetryOptions,
  retryTransient,
} from '../src/milvus-startup.ts';

// Name resolution is the machine's: pin it, so a host that does not resolve does so everywhere.
vi.mock('node:dns/promises', () => ({
  lookup: vi.fn(async (host: string) => {
    if (host.endsWith('.invalid')) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
        code: 'ENOTFOUND',
        syscall: 'getaddrinfo',
        hostname: host,
      });
    }
    return { address: '127.0.0.1', family: 4 };
  }),
}));

/** A grpc-js error as the SDK rejects with it: `<code> <NAME>: <details>`, plus `code`, `details`, `metadata`. */
const grpcError = (code: number, name: string, details: string) =>
  Object.assign(new Error(`${code} ${name}: ${details}`), { code, details, metadata: {} });

const refused = () =>
  grpcError(
    14,
    'UNAVAILABLE',
    'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:19530. Resolution note:  (retried 3 times, 168ms)',
  );

/** What Milvus 2.3 answers while its proxy starts: the SDK returns it, or (createCollection) throws it as is. */
const notReady = {
  error_code: 'NotReadyServe',
  reason: 'service not ready[stage=Initializing]',
  code: 1,
  retriable: true,
  detail: 'service not ready',
  extra_info: {},
};

describe('classifyError', () => {
  it.each([
    ['connection refused (14 UNAVAILABLE)', refused()],
    [
      'connection reset',
      grpcError(14, 'UNAVAILABLE', 'No connection established. Last error: Failed to connect'),
    ],
    [
      'a call that ran into its deadline',
      grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded after 10.001s'),
    ],
    [
      'a name the resolver cannot answer yet',
      grpcError(14, 'UNAVAILABLE', 'Name resolution failed for target'),
    ],
    ['a stream the restarting server reset', grpcError(13, 'INTERNAL', 'Received RST_STREAM with code 2')],
    ['"not ready", thrown as a status object', notReady],
    ['"not ready", in a response', { status: notReady }],
    [
      '"not ready" with 2.3 flag bits on the code',
      { error_code: 'UnexpectedError', code: (1 << 20) | 1, reason: 'x' },
    ],
    [
      '"service unavailable" (code 2)',
      new MilvusError('hasCollection', { code: 2, reason: 'service unavailable' }),
    ],
    [
      'a coordinator still activating',
      { error_code: 'NotReadyCoordActivating', reason: 'rootcoord activating' },
    ],
    [
      'a collection not loaded yet (101)',
      { error_code: 'UnexpectedError', code: 101, reason: 'collection not loaded' },
    ],
    ['a collection still loading (103)', { code: 103, reason: 'collection not fully loaded' }],
    [
      'no replica available yet',
      { error_code: 'NoReplicaAvailable', reason: 'no available shard delegator' },
    ],
    [
      'a status Milvus marks retriable',
      { error_code: 'UnexpectedError', code: 9999, reason: 'x', retriable: true },
    ],
    ['the SDK waiting for a load', new Error('ErrorCode: NotReadyServe. Reason: service not ready')],
    [
      'a refused socket',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:19530'), { code: 'ECONNREFUSED' }),
    ],
    [
      'a DNS server not answering',
      Object.assign(new Error('getaddrinfo EAI_AGAIN milvus'), { code: 'EAI_AGAIN' }),
    ],
    ['our own readiness check', new NotReadyError('collection docs is still loading')],
  ])('waits for %s', (_, error) => {
    expect(classifyError(error)).toBe('transient');
  });

  it.each([
    [
      'credentials',
      'a token Milvus refuses',
      grpcError(16, 'UNAUTHENTICATED', 'auth check failure, please check username and password are correct'),
    ],
    [
      'credentials',
      'a user without the privilege',
      grpcError(7, 'PERMISSION_DENIED', 'PrivilegeLoad: permission deny'),
    ],
    ['credentials', 'a legacy PermissionDenied status', { error_code: 'PermissionDenied', reason: 'deny' }],
    ['credentials', 'code 1400', { error_code: 'UnexpectedError', code: 1400, reason: 'not authenticated' }],
    [
      'address',
      'a host that does not resolve',
      Object.assign(new Error('getaddrinfo ENOTFOUND nope.invalid'), { code: 'ENOTFOUND' }),
    ],
    [
      'tls',
      'TLS to a plaintext server',
      grpcError(14, 'UNAVAILABLE', 'ssl3_get_record:wrong version number'),
    ],
    [
      'database',
      'a database that does not exist',
      { code: 800, reason: 'database not found[database=nope]' },
    ],
    ['permanent', 'a bad argument', grpcError(3, 'INVALID_ARGUMENT', 'bad request')],
    [
      'permanent',
      'an illegal parameter',
      { error_code: 'IllegalArgument', code: 1100, reason: 'invalid parameter' },
    ],
    ['permanent', 'a plain SDK error', new Error('The `address` property is missing.')],
    ['permanent', 'nothing at all', undefined],
  ])('gives up at once on %s: %s', (verdict, _, error) => {
    expect(classifyError(error)).toBe(verdict);
  });
});

describe('describeError', () => {
  it('shows the code, details and reason of what the SDK throws', () => {
    expect(describeError(refused())).toMatch(/^14 UNAVAILABLE: No connection established.*ECONNREFUSED/);
    expect(describeError(notReady)).toBe(
      'Milvus answered NotReadyServe, code 1: service not ready[stage=Initializing]',
    );
    expect(
      describeError({ status: { error_code: 'UnexpectedError', code: 0, reason: '', detail: 'd' } }),
    ).toBe('Milvus answered UnexpectedError: d');
    expect(describeError(new MilvusError('createCollection', notReady))).toBe(
      'Milvus createCollection failed (NotReadyServe, code 1): service not ready[stage=Initializing]',
    );
    expect(describeError(Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' }))).toBe(
      'connect failed (ECONNREFUSED)',
    );
    expect(describeError(new Error('outer', { cause: refused() }))).toMatch(/^outer: 14 UNAVAILABLE/);
  });

  it.each([
    undefined,
    null,
    '',
    {},
    { error_code: 'UnexpectedError' },
    { reason: '' },
    new Error(),
    new MilvusError('upsert', {}),
    new AggregateError([new Error('one'), refused()]),
    Object.assign(new Error(''), { code: 14, details: 'No connection established' }),
    42,
    Symbol('x'),
    () => 1,
  ])('never prints "undefined" or "[object Object]" (%#)', (error) => {
    const text = describeError(error);
    expect(text).not.toMatch(/undefined|\[object Object\]/);
    expect(text.trim()).not.toBe('');
  });
});

describe('backoffDelay', () => {
  it(`doubles from ${BACKOFF.initialMs} ms up to ${BACKOFF.maxMs} ms, each pause in the upper half of its step`, () => {
    const schedule = (random: () => number) => [1, 2, 3, 4, 5, 6, 20].map((n) => backoffDelay(n, random));
    expect(schedule(() => 1)).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect(schedule(() => 0)).toEqual([250, 500, 1000, 2000, 2500, 2500, 2500]);
    for (let n = 1; n < 50; n++) {
      const nominal = Math.min(5000, 500 * 2 ** (n - 1));
      const delay = backoffDelay(n);
      expect(delay).toBeGreaterThanOrEqual(nominal / 2);
      expect(delay).toBeLessThanOrEqual(nominal);
    }
  });
});

describe('retryTransient', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs it on the fake clock to its end; returns the result or the error, and when it ended. */
  async function settle<T>(work: Promise<T>) {
    const start = Date.now();
    const outcome = work.then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    );
    await vi.runAllTimersAsync();
    return { ...(await outcome), ms: Date.now() - start };
  }

  const options = (overrides: Partial<RetryOptions> = {}) => {
    const lines: string[] = [];
    return {
      lines,
      options: {
        address: '127.0.0.1:19530',
        timeoutMs: 120_000,
        log: (line: string) => lines.push(line),
        random: () => 1,
        ...overrides,
      },
    };
  };

  it('retries transient failures on the back-off schedule, then returns what the attempt made', async () => {
    const start = Date.now();
    const at: number[] = [];
    const { lines, options: o } = options();
    const failures = [refused(), notReady, new MilvusError('createCollection', notReady)];
    const { value, ms } = await settle(
      retryTransient(async () => {
        at.push(Date.now() - start);
        const failure = failures.shift();
        if (failure) throw failure;
        return 'client';
      }, o),
    );
    expect(value).toBe('client');
    expect(at).toEqual([0, 500, 1500, 3500]);
    expect(ms).toBe(3500);
    // The first failure at once, nothing more within 10 s, then that it is ready.
    expect(lines).toEqual([
      expect.stringMatching(
        /^waiting for Milvus at 127\.0\.0\.1:19530: 14 UNAVAILABLE: .*ECONNREFUSED.*\(0 s of 120 s\)$/,
      ),
      'Milvus at 127.0.0.1:19530 is ready after 4 s (attempt 4)',
    ]);
  });

  it('gives up when the budget is spent, with the last failure and the fix', async () => {
    const { lines, options: o } = options({ timeoutMs: 10_000 });
    let attempts = 0;
    const { error, ms } = await settle(
      retryTransient(async () => {
        attempts++;
        throw refused();
      }, o),
    );
    expect(ms).toBe(10_000); // attempts at 0, 0.5, 1.5, 3.5 and 7.5 s; the last pause ends with the budget
    expect(attempts).toBe(5);
    expect(error).toBeInstanceOf(MilvusStartupError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Milvus did not become ready within 10 s \(5 attempts\); the last failure: 14 UNAVAILABLE: .*ECONNREFUSED/,
    );
    expect(message).toMatch(
      /\n {2}Fix: start Milvus, or point MILVUS_ADDRESS .*MILVUS_STARTUP_TIMEOUT_MS \(now 10000\)$/,
    );
    expect(message).not.toMatch(/undefined/);
    expect(lines).toHaveLength(1);
  });

  it('reports progress about every 10 s while it waits', async () => {
    const { lines, options: o } = options({ timeoutMs: 60_000 });
    await settle(
      retryTransient(async () => {
        throw refused();
      }, o),
    );
    const seconds = lines.map((l) => Number(/\((\d+) s of 60 s\)$/.exec(l)?.[1]));
    expect(seconds).toEqual([0, 13, 23, 33, 43, 53]);
  });

  it.each([
    [
      'a host that does not resolve',
      Object.assign(new Error('getaddrinfo ENOTFOUND does-not-exist.invalid'), { code: 'ENOTFOUND' }),
      /Fix: point MILVUS_ADDRESS at a host that resolves/,
    ],
    [
      'credentials Milvus refuses',
      grpcError(16, 'UNAUTHENTICATED', 'auth check failure, please check username and password are correct'),
      /Fix: set MILVUS_TOKEN \(or MILVUS_USERNAME and MILVUS_PASSWORD\)/,
    ],
  ])('stops at once on %s, with the cause and the fix', async (_, failure, fix) => {
    const { lines, options: o } = options();
    let attempts = 0;
    const { error, ms } = await settle(
      retryTransient(async () => {
        attempts++;
        throw failure;
      }, o),
    );
    expect(attempts).toBe(1);
    expect(ms).toBe(0);
    expect(lines).toEqual([]);
    expect((error as Error).message).toContain(
      `${failure.message} (not retried: waiting would not fix this)`,
    );
    expect((error as Error).message).toMatch(fix);
    expect((error as MilvusStartupError).cause).toBe(failure);
  });

  it('cuts an attempt still running when the budget ends, and aborts it', async () => {
    const { options: o } = options({ timeoutMs: 5000 });
    const signals: AbortSignal[] = [];
    const { error, ms } = await settle(
      retryTransient(async (signal) => {
        signals.push(signal);
        if (signals.length === 1) throw refused();
        return new Promise<never>(() => {}); // a call that never answers
      }, o),
    );
    expect(ms).toBe(5000);
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
    // The last failure that said something is reported, not the cut.
    expect((error as Error).message).toMatch(/within 5 s \(2 attempts\); the last failure: 14 UNAVAILABLE/);
  });
});

describe('hostOf', () => {
  it.each([
    ['127.0.0.1:19530', '127.0.0.1'],
    ['milvus:19530', 'milvus'],
    ['localhost', 'localhost'],
    ['[::1]:19530', '::1'],
    ['https://in01-abc.api.gcp-us-west1.zillizcloud.com:443', 'in01-abc.api.gcp-us-west1.zillizcloud.com'],
  ])('%s → %s', (address, host) => {
    expect(hostOf(address)).toBe(host);
  });
});

describe('connectWhenReady', () => {
  /** Stands in for MilvusClient: how its connect ends, and whether it was closed. */
  function fakeClient(connect: () => Promise<unknown>) {
    const client = {
      connectPromise: connect(),
      closed: false,
      closeConnection: async () => {
        client.closed = true;
      },
    };
    return client;
  }
  const connectedAnswer = { status: { error_code: 'Success', code: 0, reason: '' }, identifier: '42' };
  const options = (overrides: Partial<RetryOptions> = {}): RetryOptions => ({
    address: '127.0.0.1:19530',
    timeoutMs: 10_000,
    log: () => {},
    random: () => 0,
    ...overrides,
  });

  it('uses a new client per attempt, checks the Connect answer, and closes the clients that failed', async () => {
    const clients = [
      fakeClient(() => Promise.reject(refused())), // nothing listens yet
      fakeClient(async () => ({ status: notReady })), // the proxy listens but is not ready
      fakeClient(async () => connectedAnswer),
    ];
    const created = [...clients];
    const prepared: unknown[] = [];
    const client = await connectWhenReady(
      () => created.shift() as unknown as MilvusClient,
      async (c) => void prepared.push(c),
      options(),
    );
    expect(client).toBe(clients[2]);
    expect(prepared).toEqual([clients[2]]);
    expect(clients.map((c) => c.closed)).toEqual([true, true, false]);
  });

  it('closes the client when preparing it fails', async () => {
    const client = fakeClient(async () => connectedAnswer);
    const error = await connectWhenReady(
      () => client as unknown as MilvusClient,
      async () => {
        throw new MilvusError('createCollection', {
          error_code: 'IllegalArgument',
          code: 1100,
          reason: 'bad',
        });
      },
      options(),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /Milvus createCollection failed \(IllegalArgument, code 1100\): bad/,
    );
    expect(client.closed).toBe(true);
  });

  it('stops before connecting when the host does not resolve', async () => {
    const create = vi.fn();
    const error = await connectWhenReady(
      create,
      async () => {},
      options({ address: 'does-not-exist.invalid:19530' }),
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(create).not.toHaveBeenCalled();
    expect((error as Error).message).toMatch(
      /^getaddrinfo ENOTFOUND does-not-exist\.invalid \(not retried: waiting would not fix this\)\n {2}Fix: point MILVUS_ADDRESS/,
    );
  });

  it('closes the client of an attempt still preparing when the budget ends', async () => {
    const client = fakeClient(async () => connectedAnswer);
    const error = await connectWhenReady(
      () => client as unknown as MilvusClient,
      () => new Promise<never>(() => {}), // e.g. a load that never completes
      options({ timeoutMs: 1000 }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /did not become ready within 1 s \(1 attempt\); the last failure: still no answer/,
    );
    expect(client.closed).toBe(true);
  });
});

describe('the example', () => {
  it('keeps its copies of the shared files identical to the other examples’', () => {
    const examples = fileURLToPath(new URL('../..', import.meta.url));
    for (const file of ['documents.ts', 'milvus-startup.ts']) {
      const [first, ...others] = ['express-service', 'worker', 'serverless'].map((example) =>
        readFileSync(join(examples, example, 'src', file), 'utf8'),
      );
      for (const other of others) expect(other, file).toBe(first);
    }
  });
});
