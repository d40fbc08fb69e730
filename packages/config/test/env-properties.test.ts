import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_ENV, ConfigError, parseClientEnv, safeParseClientEnv } from '../src/index.js';
import { parseMilvusTrace } from '../src/server/index.js';

// Fixed seed and bounded runs: the same cases on every run; fast-check prints seed and counterexample on failure.
const RUNS = { seed: 20_261_202, numRuns: 400 } as const;

const KEYS = Object.keys(CLIENT_ENV);
const MARK = 'S3CR3T';

/** A password as people write them, unencoded characters included, always carrying MARK. */
const password = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'aZ09/#?:@%!$&()*+,;=~-._[]'), maxLength: 6 }),
    fc.string({ unit: fc.constantFrom(...'aZ09/#?:@%!$&()*+,;=~-._'), maxLength: 6 }),
  )
  .map(([a, b]) => `${a}${MARK}${b}`);

const host = fc.constantFrom('localhost', 'collector', 'jaeger-collector', '10.0.0.7', 'milvus.svc', '');
const port = fc.oneof(
  fc.constantFrom('', ':4317', ':4318', ':19530', ':0', ':65535', ':65536', ':99999'),
  fc.integer({ min: 0, max: 70_000 }).map((p) => `:${p}`),
);
const scheme = fc.constantFrom('http://', 'https://', 'ftp://', 'grpc://', '');
const path = fc.constantFrom('', '/', '/v1/traces', '/otlp/', '/a@b');

/** URL-ish values with a secret in the user info, the query or the fragment. */
const urlWithSecret = fc.oneof(
  fc
    .tuple(scheme, fc.constantFrom('user', '', 'root'), password, host, port, path)
    .map(([s, u, p, h, o, pa]) => `${s}${u}:${p}@${h}${o}${pa}`),
  fc
    .tuple(fc.constantFrom('http://', 'https://'), host, port, path, fc.constantFrom('token', 'api_key', 'x'))
    .map(([s, h, o, pa, k]) => `${s}${h}${o}${pa}?${k}=${MARK}&other=1`),
  fc.tuple(fc.constantFrom('http://', 'https://'), host, port).map(([s, h, o]) => `${s}${h}${o}#${MARK}`),
);

/** Any string a shell lets through, plus URL-like and number-like ones. */
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.integer({ min: -100_000, max: 100_000 }).map(String),
  fc.tuple(host, port).map(([h, p]) => `${h}${p}`),
);

function outcome(env: Record<string, string>): 'ok' | ConfigError {
  const result = safeParseClientEnv(env); // anything but a ConfigError escapes and fails the property
  return result.success ? 'ok' : result.error;
}

describe('client environment properties', () => {
  it('any value of any variable gives typed settings or a ConfigError naming known variables', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...KEYS), anyValue, { maxKeys: 4 }), (env) => {
        const result = outcome(env);
        if (result === 'ok') return;
        expect(result.issues.length).toBeGreaterThan(0);
        for (const issue of result.issues) {
          expect(KEYS).toContain(issue.key);
          expect(result.message).toContain(`  - ${issue.key} `);
          expect(issue.fix).toMatch(/\S/);
        }
      }),
      RUNS,
    );
  });

  it('a URL credential, query value or fragment never appears in an error or a warning', () => {
    const urlKeys = fc.constantFrom(
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'MILVUS_ADDRESS',
    );
    fc.assert(
      fc.property(
        urlKeys,
        urlWithSecret,
        fc.constantFrom('grpc', 'http/protobuf', undefined),
        (key, value, protocol) => {
          const env: Record<string, string> = { [key]: value };
          if (protocol) env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
          const result = safeParseClientEnv(env);
          const text = result.success
            ? JSON.stringify(result.warnings)
            : `${result.error.message}\n${JSON.stringify(result.error.issues)}`;
          expect(text).not.toContain(MARK);
        },
      ),
      RUNS,
    );
  });

  it('the sampler argument never echoes the credentials of its endpoint', () => {
    fc.assert(
      fc.property(
        urlWithSecret,
        fc.constantFrom('', ',pollingIntervalMs=soon', ',rate=1'),
        (endpoint, rest) => {
          const result = safeParseClientEnv({
            OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
            OTEL_TRACES_SAMPLER_ARG: `endpoint=${endpoint}${rest}`,
          });
          if (!result.success) expect(result.error.message).not.toContain(MARK);
        },
      ),
      RUNS,
    );
  });

  it('MILVUS_ADDRESS host:port is accepted exactly for ports 1-65535', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (p) => {
        const address = `milvus:${p}`;
        const result = outcome({ MILVUS_ADDRESS: address });
        if (p >= 1 && p <= 65_535) {
          expect(result).toBe('ok');
        } else {
          expect(result).toBeInstanceOf(ConfigError);
          expect((result as ConfigError).issues.map((i) => i.key)).toEqual(['MILVUS_ADDRESS']);
        }
      }),
      RUNS,
    );
  });

  it('the base endpoint gets /v1/traces on its path, its query string kept as written', () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    const query = fc.array(fc.tuple(segment, segment), { maxLength: 3 });
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 3 }), fc.boolean(), query, (parts, slash, pairs) => {
        const base = `http://collector:4318${parts.map((p) => `/${p}`).join('')}${slash ? '/' : ''}`;
        const search = pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '';
        const { url } = parseClientEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: `${base}${search}` }).data.otlp;
        expect(url).toBe(`${base.replace(/\/+$/, '')}/v1/traces${search}`);
        expect(new URL(url).pathname.endsWith('/v1/traces')).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('Milvus trace section properties', () => {
  it('any endpoint string gives settings or a ConfigError, never echoing credentials', () => {
    fc.assert(
      fc.property(fc.oneof(urlWithSecret, anyValue), fc.constantFrom('grpc', 'http'), (endpoint, method) => {
        let text = '';
        try {
          text = JSON.stringify(parseMilvusTrace({ exporter: 'otlp', otlp: { endpoint, method } }).warnings);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          text = `${error.message}\n${JSON.stringify(error.issues)}`;
        }
        expect(text).not.toContain(MARK);
      }),
      RUNS,
    );
  });
});
