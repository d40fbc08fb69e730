import { traceIdProblem } from '@milvus-otel/jaeger-query';
import { InvalidArgumentError } from 'commander';
import { InputError } from './input.js';
import { parseDurationMs } from './trace/duration.js';

/** A whole number ≥ 1, for options such as --count. */
export const positiveInt = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${what} must be a whole number ≥ 1`);
  return n;
};

/** A duration with its unit (`500us`, `10ms`, `2s`, `15m`, `1h`), in milliseconds. */
export const durationArg = (what: string) => (value: string) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    throw new InvalidArgumentError(
      `${what} must be a duration with its unit, such as 500us, 10ms, 2s, 15m or 1h`,
    );
  }
  return ms;
};

/** `key=value` options, collected into one record (repeatable). */
export const keyValueArg =
  (what: string) => (value: string, previous: Record<string, string> | undefined) => {
    const at = value.indexOf('=');
    if (at < 1) throw new InvalidArgumentError(`${what} must be key=value, such as db.collection.name=docs`);
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  };

/** The trace id as Jaeger stores it, or an InputError that says what is wrong with it. */
export function checkedTraceId(value: string): string {
  const problem = traceIdProblem(value);
  if (problem) {
    throw new InputError(
      problem,
      'copy the 32-hex-digit trace id from a traceparent header, a log line or `milvus-otel traces`',
    );
  }
  return value.toLowerCase();
}

/** The terminal's width, for waterfalls and tables. */
export const terminalWidth = () => process.stdout.columns || Number(process.env.COLUMNS) || 100;
