import type { IncomingMessage } from 'node:http';
import { ConfigError, parseClientEnv } from '@milvus-otel/config';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ExpressInstrumentationConfig } from '@opentelemetry/instrumentation-express';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import { afterEach, describe, expect, it } from 'vitest';
import { ignoreIncomingRequests, requestPath } from '../src/ignore-paths.ts';
import { selectInstrumentations } from '../src/instrumentations.ts';
import { withRegisterOptions } from '../src/register-options.ts';
import type { RegisterOptions } from '../src/types.ts';

const request = (url: string) => ({ url }) as IncomingMessage;

describe('requestPath', () => {
  it.each([
    ['/healthz', '/healthz'],
    ['/healthz?probe=1', '/healthz'],
    ['/healthz#x', '/healthz'],
    ['/healthz/', '/healthz/'],
    ['http://proxy.example/healthz?probe=1', '/healthz'],
    ['', '/'],
  ])('%s → %s', (url, path) => expect(requestPath(url)).toBe(path));
});

describe('ignoreIncomingRequests', () => {
  it('matches the path exactly, query string left out', () => {
    const hook = ignoreIncomingRequests(['/healthz', '/readyz']);
    expect(hook?.(request('/healthz'))).toBe(true);
    expect(hook?.(request('/healthz?probe=1'))).toBe(true);
    expect(hook?.(request('/readyz'))).toBe(true);
    expect(hook?.(request('/healthz/'))).toBe(false);
    expect(hook?.(request('/healthz/deep'))).toBe(false);
    expect(hook?.(request('/work'))).toBe(false);
    expect(hook?.(request('/'))).toBe(false);
  });

  it('installs no hook when nothing is ignored', () => {
    expect(ignoreIncomingRequests([])).toBeUndefined();
  });
});

describe('withRegisterOptions: ignoreIncomingPaths (the register() option wins over MILVUS_OTEL_IGNORE_PATHS)', () => {
  const fromEnv = parseClientEnv({ MILVUS_OTEL_IGNORE_PATHS: '/ping' }).data;

  it('keeps the environment’s paths without the option', () => {
    expect(withRegisterOptions(fromEnv, {}).ignoreIncomingPaths).toEqual(['/ping']);
  });

  it('replaces them with the option; [] ignores nothing', () => {
    expect(
      withRegisterOptions(fromEnv, { ignoreIncomingPaths: ['/live', '/live'] }).ignoreIncomingPaths,
    ).toEqual(['/live']);
    expect(withRegisterOptions(fromEnv, { ignoreIncomingPaths: [] }).ignoreIncomingPaths).toEqual([]);
  });

  it('rejects a bad entry with a ConfigError naming the option and the fix', () => {
    let error: unknown;
    try {
      withRegisterOptions(fromEnv, { ignoreIncomingPaths: ['/ok', 'healthz', '/a?b=1'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      [
        'Invalid register() options (1 problem):',
        '  - ignoreIncomingPaths is "healthz, /a?b=1": expected URL paths, each starting with / and without query string (exact match).',
        "    Fix: pass paths like ignoreIncomingPaths: ['/healthz', '/readyz'], or [] to trace every request",
      ].join('\n'),
    );
  });
});

describe('selectInstrumentations', () => {
  let made: Instrumentation[] = [];
  afterEach(() => {
    for (const i of made) i.disable();
    made = [];
  });
  const httpHook = (set: 'lean' | 'all', env: Record<string, string>) => {
    made = selectInstrumentations({ instrumentations: set }, parseClientEnv(env).data);
    const http = made.find((i) => i.instrumentationName === '@opentelemetry/instrumentation-http');
    expect(http, `${set} set has the HTTP instrumentation`).toBeDefined();
    return (http?.getConfig() as HttpInstrumentationConfig | undefined)?.ignoreIncomingRequestHook;
  };

  it.each(['lean', 'all'] as const)('the %s set’s HTTP instrumentation ignores the health checks', (set) => {
    const hook = httpHook(set, {});
    expect(hook?.(request('/healthz'))).toBe(true);
    expect(hook?.(request('/livez?x=1'))).toBe(true);
    expect(hook?.(request('/work'))).toBe(false);
  });

  it.each(['lean', 'all'] as const)('the %s set has no hook with MILVUS_OTEL_IGNORE_PATHS=none', (set) => {
    expect(httpHook(set, { MILVUS_OTEL_IGNORE_PATHS: 'none' })).toBeUndefined();
  });
});

describe('expressLayers (the register() option wins over MILVUS_OTEL_EXPRESS_LAYERS)', () => {
  const fromEnv = parseClientEnv({ MILVUS_OTEL_EXPRESS_LAYERS: 'all' }).data;
  let made: Instrumentation[] = [];
  afterEach(() => {
    for (const i of made) i.disable();
    made = [];
  });
  const ignoredLayers = (set: 'lean' | 'all', options: RegisterOptions, env: Record<string, string> = {}) => {
    made = selectInstrumentations(
      { instrumentations: set, ...options },
      withRegisterOptions(parseClientEnv(env).data, options),
    );
    const express = made.find((i) => i.instrumentationName === '@opentelemetry/instrumentation-express');
    return (express?.getConfig() as ExpressInstrumentationConfig | undefined)?.ignoreLayersType;
  };

  it('takes the environment’s value without the option, the option’s with it', () => {
    expect(withRegisterOptions(fromEnv, {}).expressLayers).toBe('all');
    expect(withRegisterOptions(fromEnv, { expressLayers: 'handlers' }).expressLayers).toBe('handlers');
  });

  it.each(['lean', 'all'] as const)(
    'the %s set’s Express instrumentation ignores every layer by default',
    (set) => {
      expect(ignoredLayers(set, {})).toEqual(['middleware', 'router', 'request_handler']);
      expect(ignoredLayers(set, { expressLayers: 'handlers' })).toEqual(['middleware', 'router']);
      expect(ignoredLayers(set, {}, { MILVUS_OTEL_EXPRESS_LAYERS: 'all' })).toEqual([]);
    },
  );

  it('rejects an unknown value with a ConfigError naming the option and the fix', () => {
    expect(() => withRegisterOptions(fromEnv, { expressLayers: 'some' as never })).toThrow(
      /expressLayers is "some": expected one of none, handlers, all\.\n {4}Fix: pass expressLayers: 'handlers'/,
    );
  });
});
