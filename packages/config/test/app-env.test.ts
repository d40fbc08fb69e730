import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createEnv,
  envInt,
  envSetting,
  envString,
  envUrl,
  milvusClientConfig,
  parseClientEnv,
  parseEnv,
} from '../src/index.js';

const SETTINGS = {
  PORT: envSetting(envInt(3000, { min: 1, max: 65535 }), 'a port number (1-65535)', 'set PORT=3000'),
  COLLECTION: envSetting(
    envString('docs', /^[A-Za-z_][A-Za-z0-9_]{0,254}$/),
    'a Milvus collection name',
    'set COLLECTION=docs',
  ),
  REDIS_URL: envSetting(
    envUrl(['redis:', 'rediss:'], undefined),
    'a redis:// URL',
    'set REDIS_URL=redis://localhost:6379',
  ),
};

describe('parseEnv', () => {
  it('returns typed values and defaults', () => {
    const env = parseEnv('app settings', SETTINGS, { PORT: '8080', REDIS_URL: 'redis://r:6379' });
    expect(env).toEqual({ PORT: 8080, COLLECTION: 'docs', REDIS_URL: 'redis://r:6379' });
  });

  it('names every bad variable with its fix in one error', () => {
    let error: unknown;
    try {
      parseEnv('app settings', SETTINGS, { PORT: '99999', COLLECTION: 'bad-name', REDIS_URL: 'http://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { issues, message } = error as ConfigError;
    expect(issues.map((i) => i.key)).toEqual(['PORT', 'COLLECTION', 'REDIS_URL']);
    expect(message).toContain('Invalid app settings (3 problems)');
    expect(message).toContain('PORT is "99999": expected a port number (1-65535).');
    expect(message).toContain('Fix: set REDIS_URL=redis://localhost:6379');
  });
});

describe('envSetting with any Standard Schema', () => {
  // A schema written by hand, as valibot or ArkType would give one: only the `~standard` interface.
  const evenNumber = {
    '~standard': {
      version: 1 as const,
      vendor: 'hand-written',
      validate: (value: unknown) => {
        const n = value === undefined ? 2 : Number(value);
        return Number.isInteger(n) && n % 2 === 0 ? { value: n } : { issues: [{ message: 'not even' }] };
      },
    },
  };
  const settings = { WORKERS: envSetting<number>(evenNumber, 'an even number', 'set WORKERS=4') };

  it('reads the value, and the default when unset', () => {
    const workers: number = parseEnv('pool settings', settings, { WORKERS: ' 8 ' }).WORKERS;
    expect(workers).toBe(8);
    expect(parseEnv('pool settings', settings, {}).WORKERS).toBe(2);
  });

  it('reports a value the schema rejects', () => {
    expect(() => parseEnv('pool settings', settings, { WORKERS: '3' })).toThrow(
      'WORKERS is "3": expected an even number.',
    );
  });

  it('refuses an asynchronous schema', () => {
    const slow = {
      '~standard': { version: 1 as const, vendor: 'x', validate: async () => ({ value: 1 }) },
    };
    expect(() => parseEnv('s', { SLOW: envSetting(slow, 'x', 'y') }, {})).toThrow(TypeError);
  });
});

describe('milvusClientConfig', () => {
  it('maps address, database and credentials', () => {
    const { data } = parseClientEnv({
      MILVUS_ADDRESS: 'milvus:19530',
      MILVUS_USERNAME: 'root',
      MILVUS_PASSWORD: 'Milvus',
      MILVUS_DATABASE: 'shop',
    });
    expect(milvusClientConfig(data)).toEqual({
      address: 'milvus:19530',
      database: 'shop',
      username: 'root',
      password: 'Milvus',
    });
  });

  it('turns on TLS with the root certificate and server name', () => {
    const { data } = parseClientEnv({
      MILVUS_ADDRESS: 'milvus.example.com:443',
      MILVUS_TOKEN: 'user:pass',
      MILVUS_TLS_ROOT_CERT: '/certs/ca.pem',
      MILVUS_TLS_SERVER_NAME: 'milvus.example.com',
    });
    expect(milvusClientConfig(data)).toEqual({
      address: 'milvus.example.com:443',
      database: 'default',
      token: 'user:pass',
      ssl: true,
      tls: { rootCertPath: '/certs/ca.pem', serverName: 'milvus.example.com' },
    });
  });
});

describe('createEnv', () => {
  const tracing = (env: Parameters<typeof parseClientEnv>[0]) => parseClientEnv(env).data;

  it("returns the app's values and each extension's under its key", () => {
    const env = createEnv({
      subject: 'app settings',
      settings: SETTINGS,
      extends: { tracing },
      env: { PORT: '8080', MILVUS_ADDRESS: 'milvus:19531', OTEL_SERVICE_NAME: 'orders' },
    });
    expect(env.PORT).toBe(8080);
    expect(env.COLLECTION).toBe('docs');
    expect(env.tracing.serviceName).toBe('orders');
    expect(milvusClientConfig(env.tracing).address).toBe('milvus:19531');
  });

  it("one ConfigError names every bad variable, the app's and the extensions'", () => {
    const error = (() => {
      try {
        createEnv({
          subject: 'app settings',
          settings: SETTINGS,
          extends: { tracing },
          env: { PORT: '0', MILVUS_ADDRESS: 'localhost:99999', OTEL_TRACES_SAMPLER: 'sometimes' },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.key).sort()).toEqual([
      'MILVUS_ADDRESS',
      'OTEL_TRACES_SAMPLER',
      'PORT',
    ]);
    expect((error as ConfigError).message).toMatch(/^Invalid app settings \(3 problems\):/);
  });

  it('hands the error to onValidationError instead of throwing it', () => {
    const seen: ConfigError[] = [];
    expect(() =>
      createEnv({
        subject: 'app settings',
        settings: SETTINGS,
        env: { PORT: 'eighty' },
        onValidationError: (error) => {
          seen.push(error);
          throw new Error('stopped');
        },
      }),
    ).toThrow('stopped');
    expect(seen.map((e) => e.issues.map((i) => i.key))).toEqual([['PORT']]);
  });

  it('an extension that fails with another error fails as it is (a bug, not a setting)', () => {
    expect(() =>
      createEnv({
        subject: 'app settings',
        settings: SETTINGS,
        env: {},
        extends: {
          broken: () => {
            throw new TypeError('not a setting problem');
          },
        },
      }),
    ).toThrow(TypeError);
  });
});
