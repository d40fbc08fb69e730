import type { ClientSettings } from '@milvus-otel/config';
import { context, diag, propagation, trace } from '@opentelemetry/api';
import type { TracerProvider } from '@opentelemetry/sdk-trace';
import type { BoundedExportPipeline } from './export-pipeline.ts';
import type { PreparableExporter } from './exporter.ts';
import type { MetricsHandle } from './meter-provider.ts';
import type { ExportStatus, OTelHandle } from './types.ts';

/**
 * The handle register() keeps for the process: the public controls, plus what the package's other entry points
 * read from it (the `--import` entry, withLambdaTracing). Optional: a handle made by another copy or version of
 * this package may lack them.
 */
export interface ProcessHandle extends OTelHandle {
  /** Names of the modules the registered instrumentations patch (what the ESM loader hook needs to intercept). */
  readonly instrumentedModules?: readonly string[];
  /** Loads the OTLP exporter now instead of in the first export. */
  prepareExport?(): void;
}

/** One SDK per process, shared by every copy of this package (ESM and CJS builds, the --import entry). */
const STATE = Symbol.for('@milvus-otel/node');
type Global = typeof globalThis & { [STATE]?: ProcessHandle };

export function currentHandle(): ProcessHandle | undefined {
  return (globalThis as Global)[STATE];
}

export function remember(handle: ProcessHandle): ProcessHandle {
  (globalThis as Global)[STATE] = handle;
  return handle;
}

const IDLE_STATUS: ExportStatus = { queuedSpans: 0, droppedSpans: 0, notExportedForMs: 0 };

/** The handle of an SDK that was not started (disabled, or another provider came first): every control a no-op. */
export function disabledHandle(settings: ClientSettings): ProcessHandle {
  return {
    enabled: false,
    settings,
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
    droppedSpans: () => 0,
    exportStatus: () => IDLE_STATUS,
    instrumentedModules: [],
    prepareExport: () => {},
  };
}

export interface RunningSdk {
  readonly settings: ClientSettings;
  readonly provider: TracerProvider;
  readonly exporter: PreparableExporter | undefined;
  readonly pipeline: BoundedExportPipeline | undefined;
  /** The meter provider (OTEL_METRICS_EXPORTER=otlp), flushed and shut down with the tracer provider. */
  readonly meters?: MetricsHandle | undefined;
  readonly instrumentedModules: readonly string[];
  /** Disables the instrumentations. */
  readonly unregister: () => void;
  /** The most a flush or the shutdown may take. */
  readonly timeoutMs: number;
}

/** The controls of a started SDK; shutdown runs once and puts the global API back to its no-op state. */
export function runningHandle(sdk: RunningSdk): ProcessHandle {
  const { provider, pipeline, exporter, meters, timeoutMs } = sdk;
  let stopping: Promise<void> | undefined;
  return {
    enabled: true,
    settings: sdk.settings,
    forceFlush: () =>
      withDeadline(
        Promise.all([provider.forceFlush(), meters?.forceFlush()]),
        timeoutMs,
        meters ? 'flushing spans and metrics' : 'flushing spans',
      ),
    shutdown: () => {
      stopping ??= withDeadline(
        Promise.all([provider.shutdown(), meters?.shutdown()]).finally(() => {
          sdk.unregister();
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
    instrumentedModules: sdk.instrumentedModules,
    prepareExport: () => exporter?.prepare?.(),
  };
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
 * SIGTERM / SIGINT when the app does not handle the signal: flush and shut down once, within the deadline, then end
 * the process the way the signal would have. When the app handles it itself (a graceful drain), export what has
 * ended so far and leave the final flush to the app's `shutdown()` call or to beforeExit, so the spans of requests
 * still draining are not lost. beforeExit (the loop ran dry): flush and shut down.
 */
export function shutDownOnExit(handle: OTelHandle): void {
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
