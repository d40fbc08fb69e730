import { isHttpUrl } from './env.js';
import type { ConfigIssue, ConfigWarning } from './errors.js';

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'jaeger_remote',
  'parentbased_jaeger_remote',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export type SamplerConfig =
  | { readonly name: Exclude<SamplerName, `${string}traceidratio` | `${string}jaeger_remote`> }
  | { readonly name: 'traceidratio' | 'parentbased_traceidratio'; readonly ratio: number }
  | {
      readonly name: 'jaeger_remote' | 'parentbased_jaeger_remote';
      readonly endpoint: string;
      readonly pollingIntervalMs: number;
      readonly initialSamplingRate: number;
    };

/** The sampler's settings from its argument, or what the argument should have been. */
function samplerConfig(name: SamplerName, arg: string | undefined): SamplerConfig | string {
  if (name === 'traceidratio' || name === 'parentbased_traceidratio') {
    if (arg === undefined) return { name, ratio: 1 };
    const ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) return 'a ratio from 0 to 1';
    return { name, ratio };
  }
  if (name === 'jaeger_remote' || name === 'parentbased_jaeger_remote') {
    const defaults = {
      endpoint: 'http://localhost:5778',
      pollingIntervalMs: 60_000,
      initialSamplingRate: 0.001,
    };
    const parts: Record<string, string> = {};
    for (const pair of (arg ?? '').split(',').filter((p) => p.trim())) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return 'endpoint=<url>,pollingIntervalMs=<ms>,initialSamplingRate=<0..1>';
      parts[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    const unknown = Object.keys(parts).filter((k) => !(k in defaults));
    // The unknown keys are not named: a comma in the endpoint's password would make part of it one.
    if (unknown.length > 0) return 'only the keys endpoint, pollingIntervalMs and initialSamplingRate';
    const endpoint = parts.endpoint ?? defaults.endpoint;
    const pollingIntervalMs =
      parts.pollingIntervalMs === undefined ? defaults.pollingIntervalMs : Number(parts.pollingIntervalMs);
    const initialSamplingRate =
      parts.initialSamplingRate === undefined
        ? defaults.initialSamplingRate
        : Number(parts.initialSamplingRate);
    if (!isHttpUrl(endpoint)) return 'endpoint=<http(s) URL of the sampling endpoint>';
    if (!Number.isInteger(pollingIntervalMs) || pollingIntervalMs <= 0)
      return 'pollingIntervalMs=<whole number > 0>';
    if (!(initialSamplingRate >= 0 && initialSamplingRate <= 1))
      return 'initialSamplingRate=<ratio from 0 to 1>';
    return { name, endpoint, pollingIntervalMs, initialSamplingRate };
  }
  return { name };
}

/**
 * OTEL_TRACES_SAMPLER with its OTEL_TRACES_SAMPLER_ARG (trimmed; undefined when unset). A bad argument gives an issue
 * (and the default sampler, so later checks still run); an argument the sampler takes none of, a warning.
 */
export function resolveSampler(
  name: SamplerName,
  arg: string | undefined,
): { sampler: SamplerConfig; issue?: ConfigIssue; warning?: ConfigWarning } {
  const sampler = samplerConfig(name, arg);
  if (typeof sampler === 'string') {
    return {
      sampler: { name: 'parentbased_always_on' },
      issue: {
        key: 'OTEL_TRACES_SAMPLER_ARG',
        value: arg,
        expected: `${sampler} for OTEL_TRACES_SAMPLER=${name}`,
        fix: name.includes('jaeger_remote')
          ? 'set OTEL_TRACES_SAMPLER_ARG=endpoint=http://localhost:5778,pollingIntervalMs=5000,initialSamplingRate=0.25'
          : 'set OTEL_TRACES_SAMPLER_ARG=0.25 (keeps a quarter of new traces)',
      },
    };
  }
  if (arg !== undefined && !('ratio' in sampler) && !('endpoint' in sampler)) {
    return {
      sampler,
      warning: {
        key: 'OTEL_TRACES_SAMPLER_ARG',
        message: `OTEL_TRACES_SAMPLER=${name} takes no argument; OTEL_TRACES_SAMPLER_ARG is ignored`,
        fix: 'unset it, or pick a traceidratio or jaeger_remote sampler',
      },
    };
  }
  return { sampler };
}
