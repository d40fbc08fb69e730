import type { ClientSettings } from '@milvus-otel/config';
import type { InstrumentationConfigMap } from '@opentelemetry/auto-instrumentations-node';

/** How a Redis instrumentation (ioredis, node-redis) turns a command into `db.query.text`. */
export type RedisStatementSerializer = (command: string, args: readonly unknown[]) => string;

/** Commands whose second argument says how many key names follow it (the first is the script, SHA or function). */
const NUMKEYS_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** An argument as text. Never throws: the ioredis instrumentation calls the serializer unguarded, in the command's path. */
function text(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '?';
  }
}

/**
 * The command and how many arguments it had — `get [1 arg]`, `evalsha [9 keys, 7 args]` — and nothing of them:
 * neither key names (which often hold ids or e-mail addresses) nor values (a BullMQ job's data travels as an EVALSHA
 * argument). The semantic conventions allow query text by default only when it is sanitized.
 */
export function redisCommandStatement(command: string, args: readonly unknown[]): string {
  const name = text(command);
  if (args.length === 0) return name;
  if (NUMKEYS_COMMANDS.has(name.toLowerCase())) {
    const keys = Number(text(args[1]));
    if (Number.isInteger(keys) && keys >= 0 && keys <= args.length - 2)
      return `${name} [${count(keys, 'key')}, ${count(args.length - 2 - keys, 'arg')}]`;
  }
  return `${name} [${count(args.length, 'arg')}]`;
}

/**
 * The command with every argument (buffers as UTF-8), cut at `limit` characters as the SDK would cut the attribute —
 * but without first turning a multi-megabyte argument into a string only to throw most of it away.
 */
export function redisFullStatement(limit: number): RedisStatementSerializer {
  return (command, args) => {
    let statement = text(command);
    for (const arg of args) {
      const room = limit - statement.length - 1;
      if (room <= 0) break;
      // Decoding n bytes gives at most n UTF-16 units, and `room` units never take more than 3 bytes each.
      const value = Buffer.isBuffer(arg)
        ? arg.toString('utf8', 0, Math.min(arg.length, room * 3))
        : text(arg);
      statement += ` ${value.length > room ? value.slice(0, room) : value}`;
    }
    return statement.length > limit ? statement.slice(0, limit) : statement;
  };
}

/** The `db.query.text` serializer of the Redis instrumentations for MILVUS_OTEL_DB_STATEMENTS. */
export function redisStatementSerializer(settings: ClientSettings): RedisStatementSerializer {
  return settings.dbStatements === 'full'
    ? redisFullStatement(settings.attributeValueLengthLimit)
    : redisCommandStatement;
}

/**
 * What the database instrumentations of the `all` set record of a statement. `command`: Redis as above; SQL and
 * MongoDB statements keep their shape with literal values masked (mysql2 `maskStatement`; MongoDB's own default puts
 * `?` for every value), and no bind values or statements that may carry them (pg, mysql, oracledb, cassandra,
 * memcached: `enhancedDatabaseReporting` off, oracledb `dbStatementDump` off). `full`: all of it. pg, mysql, knex and
 * tedious record the statement text as the application wrote it, placeholders and all: none of them can mask it.
 */
export function databaseConfigs(settings: ClientSettings): InstrumentationConfigMap {
  const full = settings.dbStatements === 'full';
  const dbStatementSerializer = redisStatementSerializer(settings);
  return {
    '@opentelemetry/instrumentation-ioredis': { dbStatementSerializer },
    '@opentelemetry/instrumentation-redis': { dbStatementSerializer },
    '@opentelemetry/instrumentation-mongodb': { enhancedDatabaseReporting: full },
    '@opentelemetry/instrumentation-mysql': { enhancedDatabaseReporting: full },
    '@opentelemetry/instrumentation-mysql2': { maskStatement: !full },
    '@opentelemetry/instrumentation-pg': { enhancedDatabaseReporting: full },
    '@opentelemetry/instrumentation-oracledb': { enhancedDatabaseReporting: full, dbStatementDump: full },
    '@opentelemetry/instrumentation-cassandra-driver': { enhancedDatabaseReporting: full },
    '@opentelemetry/instrumentation-memcached': { enhancedDatabaseReporting: full },
  };
}
