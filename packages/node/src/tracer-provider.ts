import type { ClientSettings } from '@milvus-otel/config';
import { context, propagation, type TextMapPropagator, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { containerDetector } from '@opentelemetry/resource-detector-container';
import * as resources from '@opentelemetry/resources';
import { type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createSampler } from './sampler.ts';
import type { RegisterOptions } from './types.ts';

/**
 * The process detector without `process.command_args` and `process.command_line`: an app's argv can hold a password
 * or a token (`--db-password=…`), and the resource goes with every exported span. The executable, pid and runtime stay.
 */
const processWithoutArguments: resources.ResourceDetector = {
  detect(config) {
    const { attributes = {} } = resources.processDetector.detect(config);
    const { 'process.command_args': _args, 'process.command_line': _line, ...rest } = attributes;
    return { attributes: rest };
  },
};

/** True when something other than the API's no-op provider is already the global tracer provider. */
export function anotherProviderRegistered(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = provider.getDelegate?.() ?? provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

/** The detected resource plus the service name and OTEL_RESOURCE_ATTRIBUTES: the same for traces and metrics. */
export function createResource(settings: ClientSettings): resources.Resource {
  const detected = resources.detectResources({
    detectors: [
      resources.envDetector,
      resources.hostDetector,
      resources.osDetector,
      processWithoutArguments,
      containerDetector,
    ],
  });
  return detected.merge(
    resources.resourceFromAttributes({
      ...settings.resourceAttributes,
      [ATTR_SERVICE_NAME]: settings.serviceName,
    }),
  );
}

/**
 * The tracer provider NodeSDK would build, without loading its log and metric pipelines (a large part of start-up
 * time): the resource (detected + service name), the sampler, the attribute length limit, the span processors.
 */
export function createTracerProvider(
  settings: ClientSettings,
  options: Pick<RegisterOptions, 'sampler'>,
  spanProcessors: SpanProcessor[],
  resource: resources.Resource = createResource(settings),
): TracerProvider {
  return new TracerProvider({
    resource,
    sampler: options.sampler ?? createSampler(settings),
    // The SDK reads no OTEL_*_LIMIT variable itself and its default is no limit: one attribute could carry megabytes
    // (a queued job's data in a Redis statement), enough to push an export past what a collector takes per message.
    spanLimits: { attributeValueLengthLimit: settings.attributeValueLengthLimit },
    spanProcessors,
  });
}

/** W3C trace context and baggage, as OTEL_PROPAGATORS selects. */
function createPropagator(settings: ClientSettings): TextMapPropagator {
  return new CompositePropagator({
    propagators: [
      ...(settings.propagators.includes('tracecontext') ? [new W3CTraceContextPropagator()] : []),
      ...(settings.propagators.includes('baggage') ? [new W3CBaggagePropagator()] : []),
    ],
  });
}

/** Makes the provider, the propagator and an AsyncLocalStorage context manager the OpenTelemetry API's globals. */
export function installGlobals(settings: ClientSettings, provider: TracerProvider): void {
  const propagator = createPropagator(settings);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
}
