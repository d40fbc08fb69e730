import { z } from 'zod';
import { readYamlFile } from '../input.js';

/** A `"/…/flags"` string is a regular expression; any other string must match exactly. */
const pattern = z
  .custom<string | RegExp>((v) => typeof v === 'string' || v instanceof RegExp, {
    error: 'expected a string: the exact value, or "/…/" for a regular expression',
  })
  .transform((value, ctx): string | RegExp => {
    if (value instanceof RegExp) return value;
    const m = /^\/(.+)\/([dgimsuvy]*)$/s.exec(value);
    if (!m) return value;
    try {
      return new RegExp(m[1] as string, m[2]);
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a valid regular expression (${(error as Error).message}); write "/…/" around a JavaScript regex, or no slashes for an exact match`,
      });
      return z.NEVER;
    }
  });

const spanMatcherSchema = z.strictObject({
  kind: z.enum(['server', 'client', 'producer', 'consumer', 'internal']).optional(),
  name: pattern.optional(),
  service: z.string().optional(),
  tags: z.record(z.string(), z.union([z.literal(true), pattern])).optional(),
  tagPrefix: z.string().optional(),
});

const expectationSchema = z.strictObject({
  entry: spanMatcherSchema,
  producer: spanMatcherSchema.optional(),
  consumer: spanMatcherSchema.optional(),
  milvusClient: spanMatcherSchema.optional(),
  allowOrphans: z.boolean().optional(),
});

/** `{{i}}`, `{{run}}`…: replaced per request (see PLACEHOLDERS in verify.ts); they are no part of a URL's syntax. */
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

const httpUrl = z.string().refine(
  (value) => {
    try {
      return /^https?:$/.test(new URL(value.replace(PLACEHOLDER, 'x')).protocol);
    } catch {
      return false;
    }
  },
  { error: 'expected an http(s) URL such as http://127.0.0.1:3000/search' },
);

const targetSchema = z.strictObject({
  /** Shown in the report, and chosen with `--target <name>`. */
  name: z.string().min(1, { error: 'give each target a name (shown in the report)' }),
  request: z.strictObject({
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, { error: 'an HTTP method such as GET or POST' })
      .transform((m) => m.toUpperCase())
      .default('GET'),
    url: httpUrl,
    headers: z.record(z.string(), z.string()).default({}),
    /** A string is sent as is; an object or array as JSON (content-type application/json unless given). */
    body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  }),
  /** The HTTP status the request must answer with. @default any 2xx */
  status: z.number().int().min(100).max(599).optional(),
  /** Where the trace id comes back: a response header, or a dot path into the JSON body. @default { header: x-trace-id } */
  traceId: z
    .strictObject({ header: z.string().min(1).optional(), json: z.string().min(1).optional() })
    .refine((t) => (t.header === undefined) !== (t.json === undefined), {
      error:
        'give exactly one of header (a response header, e.g. x-trace-id) or json (a dot path into the JSON body, e.g. headers.x-trace-id)',
    })
    .default({ header: 'x-trace-id' }),
  /** Values the JSON body must hold, by dot path (e.g. `statusCode: 200` for a Lambda's API Gateway answer). */
  expectJson: z.record(z.string(), z.unknown()).optional(),
  /** Checked once before any request: any HTTP answer counts as up; when nothing answers, the hint is shown. */
  health: z.strictObject({ url: httpUrl, hint: z.string().optional() }).optional(),
  /** Send the requests one after another (e.g. a Lambda emulator runs one invocation at a time). @default false */
  serial: z.boolean().default(false),
  /** The trace each request must give (see checkTrace). */
  expect: expectationSchema,
});

const targetsFileSchema = z
  .strictObject({
    /** Jaeger query API. @default JAEGER_QUERY_URL, else http://127.0.0.1:16686 */
    jaegerUrl: httpUrl.optional(),
    targets: z.array(targetSchema).min(1, { error: 'list at least one target' }),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.targets.forEach((t, i) => {
      if (seen.has(t.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `${JSON.stringify(t.name)} is the name of an earlier target too: names must be unique`,
        });
      }
      seen.add(t.name);
    });
  });

/** One HTTP request to send, where its trace id comes back, and the trace it must give. Regexes may be "/…/" strings. */
export type VerifyTarget = z.input<typeof targetSchema>;
/** A target with its defaults filled in and its patterns compiled. */
export type ResolvedTarget = z.output<typeof targetSchema>;

export class VerifyTargetsError extends Error {
  override name = 'VerifyTargetsError';
}

const MAX_LISTED = 20;

function issuesError(what: string, issues: readonly z.core.$ZodIssue[]): VerifyTargetsError {
  const at = (path: readonly PropertyKey[]) =>
    path.reduce<string>(
      (s, k) => (typeof k === 'number' ? `${s}[${k}]` : `${s}${s ? '.' : ''}${String(k)}`),
      '',
    ) || '(root)';
  const lines = issues.slice(0, MAX_LISTED).map((i) => {
    const message =
      i.code === 'unrecognized_keys'
        ? `unknown key${i.keys.length === 1 ? '' : 's'} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`
        : i.message;
    return `  - ${at(i.path)}: ${message}`;
  });
  if (issues.length > MAX_LISTED) lines.push(`  … and ${issues.length - MAX_LISTED} more`);
  return new VerifyTargetsError(`Invalid ${what} (${issues.length}):\n${lines.join('\n')}`);
}

/** Validates targets given in code (no `${VAR}` interpolation) and fills their defaults. */
export function resolveTargets(targets: readonly VerifyTarget[]): ResolvedTarget[] {
  const result = z.array(targetSchema).safeParse(targets);
  if (!result.success) throw issuesError('verify targets', result.error.issues);
  return result.data;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `${NAME}` and `${NAME:-default}` (the default used when NAME is unset or empty, and itself interpolated, so
 * `${EXPRESS_URL:-http://127.0.0.1:${EXPRESS_PORT:-3000}}` works). Returns the text, or the problem.
 */
export function interpolate(text: string, env: Env): { value: string } | { problem: string } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('${', i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(start + 2))?.[0];
    if (!name)
      return { problem: `"\${" at ${start} starts no variable: write \${NAME} or \${NAME:-default}` };
    let j = start + 2 + name.length;
    let fallback: string | undefined;
    if (text.startsWith(':-', j)) {
      // The default runs to the matching brace: it may hold ${…} itself.
      let depth = 1;
      let k = j + 2;
      for (; k < text.length && depth > 0; k++) {
        if (text.startsWith('${', k)) {
          depth++;
          k++;
        } else if (text[k] === '}') depth--;
      }
      if (depth > 0) return { problem: `\${${name}:-… is not closed with "}"` };
      fallback = text.slice(j + 2, k - 1);
      j = k;
    } else if (text[j] === '}') {
      j++;
    } else {
      return { problem: `\${${name} is not closed with "}" (or a default: \${${name}:-default})` };
    }
    const value = env[name];
    if (value !== undefined && value !== '') out += value;
    else if (fallback !== undefined) {
      const inner = interpolate(fallback, env);
      if ('problem' in inner) return inner;
      out += inner.value;
    } else {
      return { problem: `${name} is not set: set it, or give a default: \${${name}:-default}` };
    }
    i = j;
  }
  return { value: out };
}

function interpolateAll(value: unknown, env: Env, path: PropertyKey[], issues: z.core.$ZodIssue[]): unknown {
  if (typeof value === 'string') {
    const r = interpolate(value, env);
    if ('value' in r) return r.value;
    issues.push({ code: 'custom', path, message: r.problem, input: value });
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateAll(v, env, [...path, i], issues));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env, [...path, k], issues)]),
    );
  }
  return value;
}

export interface VerifyTargets {
  readonly jaegerUrl?: string;
  readonly targets: readonly ResolvedTarget[];
}

/**
 * Reads a targets file's content (parsed YAML/JSON): `${VAR:-default}` in any string is taken from `env`, then it is
 * validated; every problem is named by its path (`targets[1].request.url: …`).
 */
export function parseVerifyTargets(
  input: unknown,
  options: { readonly env?: Env; readonly source?: string } = {},
): VerifyTargets {
  const what = `verify targets${options.source ? ` in ${options.source}` : ''}`;
  const issues: z.core.$ZodIssue[] = [];
  const interpolated = interpolateAll(input, options.env ?? process.env, [], issues);
  if (issues.length) throw issuesError(what, issues);
  const result = targetsFileSchema.safeParse(interpolated);
  if (!result.success) throw issuesError(what, result.error.issues);
  return result.data;
}

/** Reads a targets file (YAML or JSON) and resolves it as parseVerifyTargets does. */
export async function readVerifyTargets(
  path: string,
  options: { readonly env?: Env } = {},
): Promise<VerifyTargets> {
  return parseVerifyTargets(await readYamlFile(path), { ...options, source: path });
}
