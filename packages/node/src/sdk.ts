import Module from 'node:module';
import { type ClientSettings, ConfigError, type ParseResult, parseClientEnv } from '@milvus-otel/config';
import { context, DiagConsoleLogger, DiagLogLevel, diag, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { containerDetector } from '@opentelemetry/resource-detector-container';
import * as resources from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { BoundedExportPipeline, createExporter, type PreparableExporter } from './export-pipeline.ts';
import { selectInstrumentations } from './instrumentations.ts';
import { withRegisterOptions } from './register-options.ts';
import { narrowRequireHook, packageOfName } from './require-filter.ts';
import { createSampler } from './sampler.ts';
import type { OTelHandle, RegisterOptions } from './types.ts';

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

/** One SDK per process, shared by every copy of this package (ESM and CJS builds, the --import entry). */
const STATE = Symbol.for('@milvus-otel/node');
type Global = typeof globalThis & { [STATE]?: OTelHandle };

export function currentHandle(): OTelHandle | undefined {
  return (globalThis as Global)[STATE];
}

const LOG_LEVELS: Record<ClientSettings['logLevel'], DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

/** True when something other than the API's no-op provider is already the global tracer provider. */
function anotherProviderRegistered(): boolean {
  const provider = trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = provider.getDelegate?.() ?? provider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

function withDeadline(work: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      diag.warn(
        `@milvus-otel/node: ${what} did not finish within ${ms} ms; giving up so the process can exit`,
      );
      resolve();
    }, ms);
    timer.unref();
  });
  return Promise.race([
    work.then(
      () => undefined,
      (e) => diag.error(`@milvus-otel/node: ${what} failed`, e),
    ),
    deadline,
  ]).finally(() => clearTimeout(timer));
}

/**
 * The settings register() starts with, and the warnings it logs: the environment (validated), then the options that
 * override it. Throws a ConfigError naming every bad variable or option.
 */
export function resolveSettings(options: RegisterOptions = {}): ParseResult<ClientSettings> {
  const env = {
    ...(options.env ?? process.env),
    ...(options.serviceName ? { OTEL_SERVICE_NAME: options.serviceName } : {}),
  };
  const { data, warnings } = parseClientEnv(env);
  return { data: withRegisterOptions(data, options), warnings }; // the option wins
}

/**
 * Sets up OpenTelemetry for this process, once: settings from the environment (validated: bad settings stop
 * start-up with one error naming each variable), the OTLP exporter behind a bounded queue, the sampler, W3C trace
 * context + baggage, the lean instrumentation set, resource detection, and flush/shutdown on exit signals.
 * Calling it again returns the running handle.
 */
export function register(options: RegisterOptions = {}): OTelHandle {
  return registerWith(options);
}

/**
 * register(), with the settings already resolved from the same options by a caller that needed them first (the
 * `--import` entry decides on the loader hook before it starts): the environment is parsed once.
 */
export function registerWith(options: RegisterOptions, resolved?: ParseResult<ClientSettings>): OTelHandle {
  const existing = currentHandle();
  if (existing) return existing;

  // A ConfigError thrown here leaves nothing started.
  const { data: settings, warnings } = resolved ?? resolveSettings(options);
  diag.setLogger(new DiagConsoleLogger(), {
    logLevel: LOG_LEVELS[settings.logLevel],
    suppressOverrideMessage: true,
  });
  for (const w of warnings)
    diag.warn(`@milvus-otel/node: ${w.key}: ${w.message}${w.fix ? ` (${w.fix})` : ''}`);

  if (settings.disabled) return remember(disabledHandle(settings));
  if (anotherProviderRegistered()) {
    // Registration is first-wins in the OpenTelemetry API; starting a second SDK would silently trace nowhere.
    console.error(
      '@milvus-otel/node: another OpenTelemetry tracer provider is already registered in this process, so this one is NOT started. ' +
        'Fix: remove the other set-up (e.g. a second --import or NodeSDK), or let @milvus-otel/node be the only one.',
    );
    return remember(disabledHandle(settings));
  }

  const timeoutMs = options.shutdownTimeoutMs ?? 5000;
  const exporter: PreparableExporter | undefined = options.traceExporter ?? createExporter(settings);
  prepare = () => exporter?.prepare?.();
  const pipeline = exporter ? new BoundedExportPipeline(exporter, settings) : undefined;
  const propagator = new CompositePropagator({
    propagators: [
      ...(settings.propagators.includes('tracecontext') ? [new W3CTraceContextPropagator()] : []),
      ...(settings.propagators.includes('baggage') ? [new W3CBaggagePropagator()] : []),
    ],
  });

  // The pieces NodeSDK would wire, without loading its log and metric pipelines (a large part of start-up time).
  const detected = resources.detectResources({
    detectors: [
      resources.envDetector,
      resources.hostDetector,
      resources.osDetector,
      processWithoutArguments,
      containerDetector,
    ],
  });
  const provider = new TracerProvider({
    resource: detected.merge(
      resources.resourceFromAttributes({
        ...settings.resourceAttributes,
        [ATTR_SERVICE_NAME]: settings.serviceName,
      }),
    ),
    sampler: options.sampler ?? createSampler(settings),
    // The SDK reads no OTEL_*_LIMIT variable itself and its default is no limit: one attribute could carry megabytes
    // (a queued job's data in a Redis statement), enough to push an export past what a collector takes per message.
    spanLimits: { attributeValueLengthLimit: settings.attributeValueLengthLimit },
    spanProcessors: [...(options.spanProcessors ?? []), ...(pipeline ? [pipeline.processor] : [])],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(propagator);
  trace.setGlobalTracerProvider(provider);
  const requireBefore = Module.prototype.require; // the instrumentations' require hook is installed after this
  const instrumentations = selectInstrumentations(options, settings);
  modules = [
    ...new Set(
      instrumentations.flatMap(
        (i) =>
          (i as { getModuleDefinitions?: () => { name: string }[] })
            .getModuleDefinitions?.()
            .map((d) => d.name) ?? [],
      ),
    ),
  ];
  const unregister = registerInstrumentations({ instrumentations, tracerProvider: provider });
  if (settings.requireHook === 'narrow') narrowRequireHook(requireBefore, instrumentedPackages());

  let stopping: Promise<void> | undefined;
  const handle: OTelHandle = {
    enabled: true,
    settings,
    forceFlush: () => withDeadline(provider.forceFlush(), timeoutMs, 'flushing spans'),
    shutdown: () => {
      stopping ??= withDeadline(
        provider.shutdown().finally(() => {
          unregister();
          trace.disable();
          propagation.disable();
          context.disable();
        }),
        timeoutMs,
        'shutting down OpenTelemetry',
      );
      return stopping;
    },
    droppedSpans: () => pipeline?.droppedSpans() ?? 0,
    exportStatus: () => pipeline?.status() ?? IDLE_STATUS,
  };
  if (options.handleSignals !== false) handleExit(handle);
  return remember(handle);
}

const IDLE_STATUS = { queuedSpans: 0, droppedSpans: 0, notExportedForMs: 0 } as const;

function remember(handle: OTelHandle): OTelHandle {
  (globalThis as Global)[STATE] = handle;
  return handle;
}

function disabledHandle(settings: ClientSettings): OTelHandle {
  return {
    enabled: false,
    settings,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    droppedSpans: () => 0,
    exportStatus: () => IDLE_STATUS,
  };
}

/**
 * SIGTERM / SIGINT when the app does not handle the signal: flush and shut down once, within the deadline, then end
 * the process the way the signal would have. When the app handles it itself (a graceful drain), export what has
 * ended so far and leave the final flush to the app's `shutdown()` call or to beforeExit, so the spans of requests
 * still draining are not lost. beforeExit (the loop ran dry): flush and shut down.
 */
function handleExit(handle: OTelHandle): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // Registered with once(): our own listener is already gone, so any listener left is the app's.
    if (process.listenerCount(signal) > 0) {
      void handle.forceFlush();
      return;
    }
    void handle.shutdown().finally(() => process.kill(process.pid, signal));
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, onSignal);
  process.once('beforeExit', () => void handle.shutdown());
}

let modules: string[] = [];

/** Names of the modules the registered instrumentations patch (what the ESM loader hook needs to intercept). */
export function instrumentedModules(): string[] {
  return modules.flatMap((name) =>
    name.startsWith('@') || name.includes('/') ? [name] : [name, `node:${name}`],
  );
}

/** The packages (and built-ins) the registered instrumentations patch: `express`, `@zilliz/milvus2-sdk-node`, `http`… */
export function instrumentedPackages(): string[] {
  return [...new Set(modules.map(packageOfName))];
}

/** Shuts down the process's SDK (for tests and explicit teardown). */
export async function shutdown(): Promise<void> {
  await currentHandle()?.shutdown();
}

let prepare: (() => void) | undefined;

/**
 * Loads the OTLP exporter now instead of in the first export. withLambdaTracing() calls it when a cold invocation's handler
 * first waits (on Milvus, say), so that the loading overlaps the wait instead of delaying the flush.
 */
export function prepareExport(): void {
  prepare?.();
}

/** Exports every queued span now (e.g. before a serverless runtime freezes the process). */
export async function forceFlush(): Promise<void> {
  await currentHandle()?.forceFlush();
}

export { ConfigError };
