import Module from 'node:module';
import { type ClientSettings, ConfigError, type ParseResult, parseClientEnv } from '@milvus-otel/config';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Resource } from '@opentelemetry/resources';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import { BoundedExportPipeline } from './export-pipeline.ts';
import { createExporter } from './exporter.ts';
import {
  currentHandle,
  disabledHandle,
  type ProcessHandle,
  remember,
  runningHandle,
  shutDownOnExit,
} from './handle.ts';
import { selectInstrumentations } from './instrumentations.ts';
import { startMetrics } from './meter-provider.ts';
import { withRegisterOptions } from './register-options.ts';
import { narrowRequireHook, packageOfName } from './require-filter.ts';
import {
  anotherProviderRegistered,
  createResource,
  createTracerProvider,
  installGlobals,
} from './tracer-provider.ts';
import type { OTelHandle, RegisterOptions } from './types.ts';

const LOG_LEVELS: Record<ClientSettings['logLevel'], DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

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
export function registerWith(
  options: RegisterOptions,
  resolved?: ParseResult<ClientSettings>,
): ProcessHandle {
  const existing = currentHandle();
  if (existing) return existing;

  // A ConfigError thrown here leaves nothing started.
  const { data: settings, warnings } = resolved ?? resolveSettings(options);
  startDiagnostics(settings, warnings);
  if (settings.disabled) return remember(disabledHandle(settings));
  if (anotherProviderRegistered()) {
    // Registration is first-wins in the OpenTelemetry API; starting a second SDK would silently trace nowhere.
    console.error(
      '@milvus-otel/node: another OpenTelemetry tracer provider is already registered in this process, so this one is NOT started. ' +
        'Fix: remove the other set-up (e.g. a second --import or NodeSDK), or let @milvus-otel/node be the only one.',
    );
    return remember(disabledHandle(settings));
  }

  const resource = createResource(settings);
  const { exporter, pipeline, provider } = buildPipeline(settings, options, resource);
  installGlobals(settings, provider);
  const meters = startMetrics(settings, resource);
  const { modules, unregister } = startInstrumentations(options, settings, provider, meters?.provider);

  const handle = runningHandle({
    settings,
    provider,
    exporter,
    pipeline,
    meters,
    instrumentedModules: loaderHookNames(modules),
    unregister,
    timeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
  });
  if (options.handleSignals !== false) shutDownOnExit(handle);
  return remember(handle);
}

/** The exporter (its OTLP part loaded lazily) behind the bounded, retrying export queue, and the tracer provider. */
function buildPipeline(settings: ClientSettings, options: RegisterOptions, resource: Resource) {
  const exporter = options.traceExporter ?? createExporter(settings);
  const pipeline = exporter ? new BoundedExportPipeline(exporter, settings) : undefined;
  const provider = createTracerProvider(
    settings,
    options,
    [...(options.spanProcessors ?? []), ...(pipeline ? [pipeline.processor] : [])],
    resource,
  );
  return { exporter, pipeline, provider };
}

/** Logs through the OpenTelemetry diag logger at OTEL_LOG_LEVEL, then the warnings of the settings. */
function startDiagnostics(settings: ClientSettings, warnings: ParseResult<ClientSettings>['warnings']): void {
  diag.setLogger(new DiagConsoleLogger(), {
    logLevel: LOG_LEVELS[settings.logLevel],
    suppressOverrideMessage: true,
  });
  for (const w of warnings)
    diag.warn(`@milvus-otel/node: ${w.key}: ${w.message}${w.fix ? ` (${w.fix})` : ''}`);
}

/**
 * Registers the chosen instrumentations (with the meter provider when metrics are on); with MILVUS_OTEL_REQUIRE_HOOK=narrow, only requires that may load a package
 * they patch go through their require hook. Returns the names of the modules they patch.
 */
function startInstrumentations(
  options: RegisterOptions,
  settings: ClientSettings,
  provider: TracerProvider,
  meterProvider: MeterProvider | undefined,
): { modules: string[]; unregister: () => void } {
  const requireBefore = Module.prototype.require; // the instrumentations' require hook is installed after this
  const instrumentations = selectInstrumentations(options, settings);
  const modules = patchedModules(instrumentations);
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider: provider,
    ...(meterProvider ? { meterProvider } : {}),
  });
  if (settings.requireHook === 'narrow')
    narrowRequireHook(requireBefore, [...new Set(modules.map(packageOfName))]);
  return { modules, unregister };
}

/** The module names the instrumentations declare: `express`, `@zilliz/milvus2-sdk-node`, `http`… */
function patchedModules(instrumentations: Instrumentation[]): string[] {
  return [
    ...new Set(
      instrumentations.flatMap(
        (i) =>
          (i as { getModuleDefinitions?: () => { name: string }[] })
            .getModuleDefinitions?.()
            .map((d) => d.name) ?? [],
      ),
    ),
  ];
}

/** The names the ESM loader hook must intercept: a built-in also under its `node:` name. */
function loaderHookNames(modules: string[]): string[] {
  return modules.flatMap((name) =>
    name.startsWith('@') || name.includes('/') ? [name] : [name, `node:${name}`],
  );
}

/** Names of the modules the registered instrumentations patch (what the ESM loader hook needs to intercept). */
export function instrumentedModules(): string[] {
  return [...(currentHandle()?.instrumentedModules ?? [])];
}

/** Shuts down the process's SDK (for tests and explicit teardown). */
export async function shutdown(): Promise<void> {
  await currentHandle()?.shutdown();
}

/** Exports every queued span now (e.g. before a serverless runtime freezes the process). */
export async function forceFlush(): Promise<void> {
  await currentHandle()?.forceFlush();
}

/**
 * Loads the OTLP exporter now instead of in the first export. withLambdaTracing() calls it when a cold invocation's
 * handler first waits (on Milvus, say), so that the loading overlaps the wait instead of delaying the flush.
 */
export function prepareExport(): void {
  currentHandle()?.prepareExport?.();
}

export { ConfigError };
