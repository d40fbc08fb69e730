import { ConfigError, parseClientEnv } from '@milvus-otel/config';
import { DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT } from '@milvus-otel/config/internal';
import type { TraceSpan } from '@milvus-otel/jaeger-query';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { afterEach, describe, expect, it } from 'vitest';
import { redisCommandStatement, redisFullStatement } from '../src/db-statements.ts';
import { selectInstrumentations } from '../src/instrumentations.ts';
import { withRegisterOptions } from '../src/register-options.ts';
import { appEnv, fixture, jaegerUrl, runNode, stackEnv, traceWith, unique } from './helpers.ts';

describe('redisCommandStatement (MILVUS_OTEL_DB_STATEMENTS=command)', () => {
  it('gives the command and how many arguments it had, none of them', () => {
    expect(redisCommandStatement('ping', [])).toBe('ping');
    expect(redisCommandStatement('get', ['user:alice@example.com'])).toBe('get [1 arg]');
    expect(redisCommandStatement('SET', ['session:42', 'secret', 'EX', 60])).toBe('SET [4 args]');
  });

  it('splits EVAL, EVALSHA and FCALL arguments into keys and script arguments by their numkeys', () => {
    const sha = 'a'.repeat(40);
    const keys = Array.from({ length: 9 }, (_, i) => `bull:ingest:${i}`);
    const args = ['job-data', Buffer.from('msgpack'), 3, 'x', 'y', 'z', 'w'];
    expect(redisCommandStatement('evalsha', [sha, 9, ...keys, ...args])).toBe('evalsha [9 keys, 7 args]');
    expect(redisCommandStatement('EVAL', ['return 1', '1', 'k', 'v'])).toBe('EVAL [1 key, 1 arg]');
    expect(redisCommandStatement('fcall_ro', ['fn', Buffer.from('0')])).toBe('fcall_ro [0 keys, 0 args]');
    // A numkeys that cannot be right: the plain count, still nothing of the arguments.
    expect(redisCommandStatement('eval', ['return 1', '5', 'k'])).toBe('eval [3 args]');
    expect(redisCommandStatement('eval', ['return 1', 'k', 'v'])).toBe('eval [3 args]');
  });

  it('never throws, whatever the arguments (it runs in the command’s path)', () => {
    const hostile = {
      toString: () => {
        throw new Error('no');
      },
    };
    expect(redisCommandStatement('eval', ['return 1', hostile, Object.create(null)])).toBe('eval [3 args]');
    expect(redisFullStatement(100)('set', [hostile, Object.create(null), Symbol('s')])).toBe(
      'set ? ? Symbol(s)',
    );
  });
});

describe('redisFullStatement (MILVUS_OTEL_DB_STATEMENTS=full)', () => {
  it('gives every argument, buffers as UTF-8', () => {
    expect(redisFullStatement(4096)('set', ['k', Buffer.from('välue'), 60])).toBe('set k välue 60');
    expect(redisFullStatement(4096)('ping', [])).toBe('ping');
  });

  it('stops at the limit, without decoding what lies beyond it', () => {
    const huge = Buffer.alloc(64 * 1024 * 1024, 'é'); // 64 MiB
    const text = redisFullStatement(100)('evalsha', ['sha', 1, 'key', huge, 'after']);
    expect(text).toHaveLength(100);
    expect(text).toMatch(/^evalsha sha 1 key (é)+$/);
    expect(redisFullStatement(10)('get', ['a-long-key-name'])).toBe('get a-long');
    expect(redisFullStatement(3)('get', ['k'])).toBe('get');
  });
});

describe('settings: MILVUS_OTEL_DB_STATEMENTS, dbStatements, the attribute value length limit', () => {
  it('command and 4096 by default', () => {
    const { data } = parseClientEnv({});
    expect(data.dbStatements).toBe('command');
    expect(data.attributeValueLengthLimit).toBe(DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT);
    expect(DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT).toBe(4096);
  });

  it('reads the variables; the span-specific limit wins over the general one', () => {
    expect(parseClientEnv({ MILVUS_OTEL_DB_STATEMENTS: 'FULL' }).data.dbStatements).toBe('full');
    expect(parseClientEnv({ OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '500' }).data.attributeValueLengthLimit).toBe(
      500,
    );
    expect(
      parseClientEnv({
        OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '500',
        OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '70000',
      }).data.attributeValueLengthLimit,
    ).toBe(70_000);
  });

  it('a bad value stops start-up with an error naming the variable', () => {
    expect(() => parseClientEnv({ MILVUS_OTEL_DB_STATEMENTS: 'values' })).toThrow(
      /MILVUS_OTEL_DB_STATEMENTS is "values": expected one of command, full/,
    );
    for (const value of ['0', '-1', '4k', '1.5'])
      expect(() => parseClientEnv({ OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: value })).toThrow(
        /OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT .*expected a length in characters/,
      );
  });

  it('the register() option wins over the variable; a bad one throws a ConfigError naming it', () => {
    const fromEnv = parseClientEnv({ MILVUS_OTEL_DB_STATEMENTS: 'full' }).data;
    expect(withRegisterOptions(fromEnv, {}).dbStatements).toBe('full');
    expect(withRegisterOptions(fromEnv, { dbStatements: 'command' }).dbStatements).toBe('command');
    const bad = { dbStatements: 'all' as 'full' };
    expect(() => withRegisterOptions(fromEnv, bad)).toThrow(ConfigError);
    expect(() => withRegisterOptions(fromEnv, bad)).toThrow(
      /dbStatements is "all": expected one of command, full/,
    );
  });
});

describe('the database instrumentations of the lean and all sets', () => {
  let made: Instrumentation[] = [];
  afterEach(() => {
    for (const i of made) i.disable();
    made = [];
  });
  const configOf = (name: string) =>
    made.find((i) => i.instrumentationName === `@opentelemetry/instrumentation-${name}`)?.getConfig() as
      | Record<string, unknown>
      | undefined;
  const serialize = (name: string) => {
    const serializer = configOf(name)?.dbStatementSerializer as (cmd: string, args: unknown[]) => string;
    return serializer('evalsha', ['f'.repeat(40), 2, 'bull:q:wait', 'bull:q:id', 'z'.repeat(10_000)]);
  };

  it.each(['lean', 'all'] as const)('%s: ioredis records the command only, by default', (set) => {
    made = selectInstrumentations({ instrumentations: set }, parseClientEnv({}).data);
    expect(serialize('ioredis')).toBe('evalsha [2 keys, 1 arg]');
    expect(configOf('ioredis')?.requireParentSpan).toBe(true);
  });

  it('lean with full: every argument, cut at the attribute limit', () => {
    const settings = parseClientEnv({
      MILVUS_OTEL_DB_STATEMENTS: 'full',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '200',
    });
    made = selectInstrumentations({}, settings.data);
    const text = serialize('ioredis');
    expect(text).toHaveLength(200);
    expect(text).toMatch(/^evalsha f{40} 2 bull:q:wait bull:q:id z+$/);
  });

  it('all: node-redis as ioredis; values masked or left out of SQL and MongoDB statements', () => {
    made = selectInstrumentations({ instrumentations: 'all' }, parseClientEnv({}).data);
    expect(serialize('redis')).toBe('evalsha [2 keys, 1 arg]');
    expect(configOf('mysql2')?.maskStatement).toBe(true);
    for (const name of ['mongodb', 'mysql', 'pg', 'oracledb', 'cassandra-driver', 'memcached'])
      expect(configOf(name)?.enhancedDatabaseReporting, name).toBe(false);
    expect(configOf('oracledb')?.dbStatementDump).toBe(false);
  });

  it('all with full: arguments, bind values and statements are recorded', () => {
    made = selectInstrumentations(
      { instrumentations: 'all' },
      parseClientEnv({ MILVUS_OTEL_DB_STATEMENTS: 'full' }).data,
    );
    expect(serialize('redis')).toMatch(/^evalsha f{40} 2 bull:q:wait bull:q:id z{4000}/);
    expect(configOf('mysql2')?.maskStatement).toBe(false);
    for (const name of ['mongodb', 'mysql', 'pg', 'oracledb', 'cassandra-driver', 'memcached'])
      expect(configOf(name)?.enhancedDatabaseReporting, name).toBe(true);
    expect(configOf('oracledb')?.dbStatementDump).toBe(true);
  });
});

/** Runs the ioredis fixture through the preset and returns its trace as Jaeger has it, raw and normalized. */
async function evalTrace(extra: Record<string, string>) {
  const service = unique('db_statements');
  const marker = unique('job-data-marker');
  const run = await runNode(
    ['--import', '@milvus-otel/node/register', fixture('redis-eval.mjs'), `--api-token=${marker}`],
    appEnv(service, {
      REDIS_URL: stackEnv.REDIS_URL as string,
      MARKER: marker,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...extra,
    }),
  );
  expect(run.code, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    traceId: string;
    sha: string;
    lengths: number[];
  };
  expect(out.lengths).toEqual([marker.length + 200_001, marker.length + 200_001]); // Redis got the whole argument
  const found = await traceWith(out.traceId, [
    `${service}:redis work`,
    `${service}:script`,
    `${service}:eval`,
    `${service}:evalsha`,
  ]);
  expect(found, run.stderr).toBeDefined();
  // Everything Jaeger stores of the trace, resource attributes included: its OTLP JSON.
  const raw = await (await fetch(`${jaegerUrl}/api/v3/traces/${out.traceId}`)).text();
  const span = (name: string) => found?.spans.find((s) => s.name === name) as TraceSpan;
  return { marker, sha: out.sha, raw, span, spans: found?.spans ?? [] };
}

describe('Redis statements through the preset (ioredis → Jaeger)', () => {
  it('by default the EVAL/EVALSHA spans carry the command and its key and argument counts, nothing of the data', async () => {
    const { marker, raw, span, spans } = await evalTrace({});
    const work = span('redis work');
    for (const [name, text] of [
      ['eval', 'eval [1 key, 1 arg]'],
      ['evalsha', 'evalsha [1 key, 1 arg]'],
      ['script', 'script [2 args]'],
    ] as const) {
      expect(span(name).parentId).toBe(work.spanId);
      expect(span(name).tags).toMatchObject({
        'span.kind': 'client',
        'db.system.name': 'redis',
        'db.operation.name': name,
        'db.query.text': text,
      });
    }
    expect(raw).toContain('evalsha [1 key, 1 arg]');
    // Neither the argument nor the key name, nor the command line (the resource's process attributes), anywhere.
    expect(raw).not.toContain(marker);
    expect(raw).toContain('process.pid');
    for (const s of spans)
      for (const value of Object.values(s.tags)) expect(String(value).length).toBeLessThanOrEqual(4096);
  });

  it('with MILVUS_OTEL_DB_STATEMENTS=full the arguments are recorded, cut at 4096 characters', async () => {
    const { marker, sha, span } = await evalTrace({ MILVUS_OTEL_DB_STATEMENTS: 'full' });
    const evalText = String(span('eval').tags['db.query.text']);
    expect(evalText).toHaveLength(4096);
    expect(evalText.startsWith(`eval return string.len(ARGV[1]) 1 ${marker}:key ${marker} xxx`)).toBe(true);
    const evalshaText = String(span('evalsha').tags['db.query.text']);
    expect(evalshaText).toHaveLength(4096);
    expect(evalshaText.startsWith(`evalsha ${sha} 1 ${marker}:key ${marker} xxx`)).toBe(true);
  });

  it('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT sets the cut, over OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT', async () => {
    const { marker, span } = await evalTrace({
      MILVUS_OTEL_DB_STATEMENTS: 'full',
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '1000',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '50',
    });
    const text = String(span('eval').tags['db.query.text']);
    expect(text).toHaveLength(1000);
    expect(text).toContain(marker);
  });
});
