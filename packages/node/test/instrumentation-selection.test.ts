import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClientEnv } from '@milvus-otel/config';
import { describe, expect, it } from 'vitest';
import { AppPackages } from '../src/app-packages.ts';
import { isSelected, notCarried } from '../src/instrumentation-selection.ts';
import {
  missingMessage,
  OPTIONAL_INSTRUMENTATIONS,
  optionalInstrumentations,
} from '../src/optional-instrumentations.ts';

const selection = (env: Record<string, string>) => parseClientEnv(env).data.instrumentations;

/** A folder with `node_modules/<name>/package.json` for each name (an empty module), and an app folder below it. */
function appWith(names: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'app-packages-'));
  for (const name of names) {
    mkdirSync(join(root, 'node_modules', name), { recursive: true });
    writeFileSync(join(root, 'node_modules', name, 'package.json'), `{"name":"${name}"}`);
    writeFileSync(join(root, 'node_modules', name, 'index.js'), 'module.exports = {};');
  }
  mkdirSync(join(root, 'app', 'src'), { recursive: true });
  return join(root, 'app', 'src');
}

describe('isSelected', () => {
  it('unset: the default of the set; a disabled name is off; an enabled list keeps only its names', () => {
    expect(isSelected('koa', selection({}))).toBe(true);
    expect(isSelected('aws-lambda', selection({}), false)).toBe(false);
    expect(isSelected('milvus', selection({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'milvus' }))).toBe(false);
    const enabled = selection({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,milvus,aws-lambda' });
    expect(isSelected('http', enabled)).toBe(true);
    expect(isSelected('express', enabled)).toBe(false);
    expect(isSelected('aws-lambda', enabled, false)).toBe(true);
  });

  it('disabled wins over enabled', () => {
    const both = selection({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,milvus',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'milvus',
    });
    expect(isSelected('milvus', both)).toBe(false);
    expect(isSelected('http', both)).toBe(true);
  });

  it('notCarried: the enabled names a set cannot provide', () => {
    const enabled = selection({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,graphql,kafkajs' });
    expect(notCarried(enabled, ['http', 'milvus'])).toEqual(['graphql', 'kafkajs']);
    expect(notCarried(selection({}), ['http'])).toEqual([]);
  });
});

describe('AppPackages', () => {
  it('finds packages installed in the app folder or above it, scoped ones too, and not others', () => {
    const app = new AppPackages([appWith(['koa', '@redis/client'])]);
    expect(app.has('koa')).toBe(true);
    expect(app.has('@redis/client')).toBe(true);
    expect(app.has('fastify')).toBe(false);
    expect(app.has('redis')).toBe(false);
  });

  it('loads from the app first, then from this package', () => {
    const app = new AppPackages([appWith(['koa'])]);
    expect(app.load('koa')).toEqual({}); // the app's (empty) copy, not ours
    expect(app.load('@opentelemetry/instrumentation-koa')).toHaveProperty('KoaInstrumentation');
    expect(app.load('@not-installed/anywhere')).toBeUndefined();
  });
});

describe('optionalInstrumentations', () => {
  const names = (list: { instrumentationName: string }[]) => list.map((i) => i.instrumentationName).sort();

  it('an app without any of the libraries gets none of them', () => {
    expect(
      optionalInstrumentations(parseClientEnv({}).data, undefined, new AppPackages([appWith([])])),
    ).toEqual([]);
  });

  it('adds the instrumentation of each library the app has, minus the disabled ones', () => {
    const app = new AppPackages([appWith(['koa', 'pg', 'mysql2'])]);
    expect(names(optionalInstrumentations(parseClientEnv({}).data, undefined, app))).toEqual([
      '@opentelemetry/instrumentation-koa',
      '@opentelemetry/instrumentation-mysql2',
      '@opentelemetry/instrumentation-pg',
    ]);
    const settings = parseClientEnv({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg' }).data;
    expect(names(optionalInstrumentations(settings, undefined, app))).toEqual([
      '@opentelemetry/instrumentation-koa',
      '@opentelemetry/instrumentation-mysql2',
    ]);
  });

  it('aws-lambda only when named', () => {
    const app = new AppPackages([appWith([])]);
    const settings = parseClientEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'aws-lambda,http' }).data;
    expect(names(optionalInstrumentations(settings, undefined, app))).toEqual([
      '@opentelemetry/instrumentation-aws-lambda',
    ]);
  });

  it('a missing optional peer: one line saying what is not traced and how to install it', () => {
    const fastify = OPTIONAL_INSTRUMENTATIONS.find((o) => o.name === 'fastify');
    expect(fastify && missingMessage(fastify, 'fastify')).toBe(
      '@milvus-otel/node: fastify is installed but @fastify/otel is not, so fastify is not traced. Fix: npm install @fastify/otel (or OTEL_NODE_DISABLED_INSTRUMENTATIONS=fastify to go without).',
    );
  });
});
