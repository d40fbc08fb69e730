import { createRequire } from 'node:module';
import { type ClientSettings, ConfigError } from '@milvus-otel/config';
import * as tracing from '@opentelemetry/sdk-trace';

// Loaded only when OTEL_TRACES_SAMPLER asks for it: start-up pays nothing otherwise.
const load = createRequire(import.meta.url);

/** The Jaeger remote sampler: an optional peer dependency, installed by the apps that use it. */
export const JAEGER_REMOTE_SAMPLER_PACKAGE = '@opentelemetry/sampler-jaeger-remote';

/** The sampler OTEL_TRACES_SAMPLER asks for, including Jaeger remote sampling (strategies polled from Jaeger). */
export function createSampler(settings: ClientSettings): tracing.Sampler {
  const { sampler } = settings;
  const parentBased = (root: tracing.Sampler) => new tracing.ParentBasedSampler({ root });
  switch (sampler.name) {
    case 'always_on':
      return new tracing.AlwaysOnSampler();
    case 'always_off':
      return new tracing.AlwaysOffSampler();
    case 'parentbased_always_on':
      return parentBased(new tracing.AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new tracing.AlwaysOffSampler());
    case 'traceidratio':
      return new tracing.TraceIdRatioBasedSampler(sampler.ratio);
    case 'parentbased_traceidratio':
      return parentBased(new tracing.TraceIdRatioBasedSampler(sampler.ratio));
    case 'jaeger_remote':
    case 'parentbased_jaeger_remote': {
      const remote = new (jaegerRemoteSamplerClass(sampler.name))({
        endpoint: sampler.endpoint,
        serviceName: settings.serviceName,
        poolingInterval: sampler.pollingIntervalMs,
        initialSampler: new tracing.TraceIdRatioBasedSampler(sampler.initialSamplingRate),
      }) as unknown as tracing.Sampler;
      return sampler.name === 'jaeger_remote' ? remote : parentBased(remote);
    }
  }
}

/** Jaeger's protobuf enum StrategyType, by number (how Jaeger's sampling endpoints serialise it). */
const STRATEGY_TYPES = ['PROBABILISTIC', 'RATE_LIMITING'] as const;

/**
 * Jaeger (v2.13) answers the sampling endpoint with `"strategyType": 0`, while the sampler reads only the enum's
 * name (`"PROBABILISTIC"`) and would otherwise keep its initial sampler forever. Names the number, nothing else.
 */
function jaegerRemoteSamplerClass(samplerName: string) {
  const { JaegerRemoteSampler } = loadJaegerRemoteSampler(samplerName);
  return class JaegerRemoteSamplerWithNumericEnums extends JaegerRemoteSampler {
    constructor(config: ConstructorParameters<typeof JaegerRemoteSampler>[0]) {
      super(config);
      const self = this as unknown as {
        getSamplerConfig: (service?: string) => Promise<{ strategyType?: unknown }>;
      };
      const fetchConfig = self.getSamplerConfig.bind(this);
      self.getSamplerConfig = async (service) => {
        const config = await fetchConfig(service);
        if (typeof config.strategyType === 'number')
          config.strategyType = STRATEGY_TYPES[config.strategyType] ?? config.strategyType;
        return config;
      };
    }
  };
}

/**
 * The sampler package, or a ConfigError naming OTEL_TRACES_SAMPLER and the install command when the app has not
 * installed it. Thrown before the tracer provider exists: nothing has started (no provider, no polling, no globals).
 */
export function loadJaegerRemoteSampler(
  samplerName: string,
  require: (id: string) => unknown = load,
): typeof import('@opentelemetry/sampler-jaeger-remote') {
  try {
    return require(JAEGER_REMOTE_SAMPLER_PACKAGE) as typeof import('@opentelemetry/sampler-jaeger-remote');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Only the package itself missing; a broken install (one of its own dependencies missing) keeps its error.
    if (code !== 'MODULE_NOT_FOUND' || !message.includes(`'${JAEGER_REMOTE_SAMPLER_PACKAGE}'`)) throw error;
    throw new SamplerNotInstalledError(samplerName);
  }
}

/** One line: which setting needs the package, and the command that installs it. */
export class SamplerNotInstalledError extends ConfigError {
  constructor(samplerName: string) {
    const fix = `npm install ${JAEGER_REMOTE_SAMPLER_PACKAGE}`;
    super('OTEL_TRACES_SAMPLER', [
      {
        key: 'OTEL_TRACES_SAMPLER',
        value: samplerName,
        expected: `a sampler whose package is installed (${JAEGER_REMOTE_SAMPLER_PACKAGE} is not)`,
        fix,
      },
    ]);
    this.message = `OTEL_TRACES_SAMPLER=${samplerName} needs ${JAEGER_REMOTE_SAMPLER_PACKAGE}, which is not installed. Fix: ${fix} (or choose another OTEL_TRACES_SAMPLER).`;
  }
}
