import { join } from 'node:path';
import {
  type Attributes,
  type Context,
  context,
  type Histogram,
  isSpanContextValid,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  isWrapped,
  safeExecuteInTheMiddle,
} from '@opentelemetry/instrumentation';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { requestAttributes, responseAttributes } from './attributes.ts';
import type {
  GrpcInterceptor,
  MilvusClientLike,
  MilvusFailure,
  OperationMarker,
  PatchTarget,
} from './internal-types.ts';
import { createOperationDuration, recordOperation } from './metrics.ts';
import { BACKGROUND_METHODS, OPERATIONS } from './operations.ts';
import { createPropagationInterceptor, ensureInterceptor, OPERATION_KEY } from './propagation.ts';
import { ATTR_DB_MILVUS_ERROR_CODE, DB_SYSTEM_NAME_VALUE_MILVUS } from './semconv.ts';
import { responseFailure, thrownFailure } from './status.ts';
import type { MilvusInstrumentationConfig } from './types.ts';
import { collectionName, databaseName, operationName, serverAddress, spanName } from './utils.ts';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version.ts';

// biome-ignore lint/suspicious/noExplicitAny: patched SDK methods take and return anything.
type AnyFunction = (this: any, ...args: any[]) => any;
type Prototype = Record<string, AnyFunction>;

const MODULE_NAME = '@zilliz/milvus2-sdk-node';
const SUPPORTED_VERSIONS = ['>=2.3.5 <4'];

/**
 * Where `MilvusClient` gets its methods: `MilvusClient` ← `GRPCClient` ← `User` ← `Resource` ← `Partition` ←
 * `Index` ← `Data` ← `Collection` ← `Database` ← `BaseClient`, one file each, the same in every supported line.
 */
const PATCH_TARGETS: readonly PatchTarget[] = [
  { file: 'grpc/Database', exportName: 'Database' },
  { file: 'grpc/Collection', exportName: 'Collection' },
  { file: 'grpc/Data', exportName: 'Data' },
  { file: 'grpc/MilvusIndex', exportName: 'Index' },
  { file: 'grpc/Partition', exportName: 'Partition' },
  { file: 'grpc/Resource', exportName: 'Resource' },
  { file: 'grpc/User', exportName: 'User' },
  { file: 'grpc/GrpcClient', exportName: 'GRPCClient' },
  { file: 'MilvusClient', exportName: 'MilvusClient' },
];

const DEFAULT_CONFIG: MilvusInstrumentationConfig = {
  requireParentSpan: false,
  captureFilter: false,
  suppressInternalInstrumentation: true,
};

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `server.address`/`server.port` of a client's `address` setting, parsed once per client (and again if it changes). */
interface ServerAttributes {
  readonly raw: unknown;
  readonly address?: string;
  readonly port?: number;
}

export class MilvusInstrumentation extends InstrumentationBase<MilvusInstrumentationConfig> {
  /** Module exports patched per file: more than one copy of the SDK can be loaded in one process. */
  private readonly _patchedExports = new Map<string, Set<object>>();
  /** Parsed `config.address` per client: constant for the client's life, so not parsed on every call. */
  private readonly _servers = new WeakMap<object, ServerAttributes>();
  /** One interceptor per instrumentation, so a client's list gets it once. */
  private readonly _interceptor: GrpcInterceptor = createPropagationInterceptor(this);
  /** `db.client.operation.duration`; set by the base constructor (through `_updateMetricInstruments`), so declared. */
  declare private _operationDuration: Histogram<Attributes>;

  constructor(config: MilvusInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, { ...DEFAULT_CONFIG, ...config });
  }

  /** Called by the base class with its meter, and again by `setMeterProvider`. */
  protected override _updateMetricInstruments(): void {
    this._operationDuration = createOperationDuration(this.meter);
  }

  override setConfig(config: MilvusInstrumentationConfig = {}): void {
    super.setConfig({ ...DEFAULT_CONFIG, ...config });
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    const files = PATCH_TARGETS.map(
      (target) =>
        new InstrumentationNodeModuleFile(
          join(MODULE_NAME, 'dist', 'milvus', `${target.file}.js`),
          SUPPORTED_VERSIONS,
          (moduleExports: unknown) => this._patchFile(target, moduleExports),
          (moduleExports: unknown) => this._unpatchFile(target, moduleExports),
        ),
    );
    return [
      new InstrumentationNodeModuleDefinition(MODULE_NAME, SUPPORTED_VERSIONS, undefined, undefined, files),
    ];
  }

  private _prototypeOf(target: PatchTarget, moduleExports: unknown): Prototype | undefined {
    const cls = (moduleExports as Record<string, unknown> | undefined)?.[target.exportName];
    const prototype = typeof cls === 'function' ? (cls.prototype as Prototype | undefined) : undefined;
    if (!prototype) this._diag.debug(`${target.file}: no class ${target.exportName}, not patched`);
    return prototype;
  }

  private _patchFile(target: PatchTarget, moduleExports: unknown): unknown {
    if (typeof moduleExports === 'object' && moduleExports !== null) {
      const seen = this._patchedExports.get(target.file) ?? new Set<object>();
      seen.add(moduleExports);
      this._patchedExports.set(target.file, seen);
      // The base class re-enables only the copy loaded last; patch every copy seen.
      for (const exports of seen) this._patchPrototype(target, exports);
    }
    return moduleExports;
  }

  private _unpatchFile(target: PatchTarget, moduleExports: unknown): void {
    const seen = new Set<unknown>(this._patchedExports.get(target.file));
    seen.add(moduleExports);
    for (const exports of seen) {
      const prototype = this._prototypeOf(target, exports);
      if (!prototype) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        if ((OPERATIONS.has(name) || BACKGROUND_METHODS.has(name)) && isWrapped(prototype[name])) {
          this._unwrap(prototype, name);
        }
      }
    }
  }

  private _patchPrototype(target: PatchTarget, moduleExports: unknown): void {
    const prototype = this._prototypeOf(target, moduleExports);
    if (!prototype) return;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const isOperation = OPERATIONS.has(name);
      if (!isOperation && !BACKGROUND_METHODS.has(name)) continue;
      if (typeof Object.getOwnPropertyDescriptor(prototype, name)?.value !== 'function') continue;
      if (isWrapped(prototype[name])) this._unwrap(prototype, name);
      this._wrap(prototype, name, (original: AnyFunction) =>
        isOperation ? this._operationWrapper(name, original) : this._backgroundWrapper(name, original),
      );
    }
  }

  private _operationWrapper(method: string, original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function milvusOperation(this: MilvusClientLike, ...args: unknown[]) {
      return instrumentation._traceOperation(method, original, this, args);
    };
  }

  private _backgroundWrapper(method: string, original: AnyFunction): AnyFunction {
    const instrumentation = this;
    return function milvusBackgroundCall(this: MilvusClientLike, ...args: unknown[]) {
      if (!instrumentation.isEnabled()) return original.apply(this, args);
      const result = context.with(suppressTracing(context.active()), () => original.apply(this, args));
      // 2.3 builds its interceptor list in connect(); later lines in the constructor.
      if (method === 'connect') ensureInterceptor(this, instrumentation._interceptor);
      return result;
    };
  }

  private _traceOperation(
    method: string,
    original: AnyFunction,
    client: MilvusClientLike,
    args: unknown[],
  ): unknown {
    // Disabled: an alias captured the wrapper.
    if (!this.isEnabled()) return original.apply(client, args);
    const active = context.active();
    const outer = active.getValue(OPERATION_KEY) as OperationMarker | undefined;
    // Made by the SDK inside another instrumented call: part of that operation, no span or point of its own.
    if (outer !== undefined) return watchNested(outer, original.apply(client, args));
    if (isTracingSuppressed(active)) return original.apply(client, args);
    const config = this.getConfig();
    ensureInterceptor(client, this._interceptor);

    const request = args[0];
    const operation = operationName(method, request);
    const collection = collectionName(request);
    const attributes = this._operationAttributes(operation, collection, request, client);
    const parent = trace.getSpan(active);
    let span: Span | undefined;
    let marker: OperationMarker;
    let callContext: Context;
    if (!config.requireParentSpan || (parent !== undefined && isSpanContextValid(parent.spanContext()))) {
      span = this._startSpan(operation, collection, request, attributes, active, config);
      const spanContext = trace.setSpan(active, span);
      marker = { context: spanContext };
      callContext = spanContext.setValue(OPERATION_KEY, marker);
      if (config.suppressInternalInstrumentation !== false) callContext = suppressTracing(callContext);
    } else {
      // No span outside a parent, but still an operation: measured, and its nested calls known as such.
      marker = { context: active };
      callContext = active.setValue(OPERATION_KEY, marker);
    }

    const start = performance.now();
    let result: unknown;
    try {
      result = context.with(callContext, () => original.apply(client, args));
    } catch (error) {
      this._endWithError(span, marker, start, attributes, error);
      throw error;
    }
    if (isThenable(result)) {
      return result.then(
        (response) => {
          this._endWithResponse(span, operation, start, attributes, response);
          return response;
        },
        (error: unknown) => {
          this._endWithError(span, marker, start, attributes, error);
          throw error;
        },
      );
    }
    this._endWithResponse(span, operation, start, attributes, result);
    return result;
  }

  /**
   * The attributes of both the span and the metric: system, operation, database, collection and server. Never
   * anything from the request's data.
   */
  private _operationAttributes(
    operation: string,
    collection: string | undefined,
    request: unknown,
    client: MilvusClientLike,
  ): Attributes {
    const attributes: Attributes = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_MILVUS,
      [ATTR_DB_OPERATION_NAME]: operation,
    };
    try {
      attributes[ATTR_DB_NAMESPACE] = databaseName(
        request,
        client?.metadata?.get?.('dbname') ?? client?.config?.database,
      );
      if (collection) attributes[ATTR_DB_COLLECTION_NAME] = collection;
      const server = this._serverOf(client);
      if (server.address) attributes[ATTR_SERVER_ADDRESS] = server.address;
      if (server.port !== undefined) attributes[ATTR_SERVER_PORT] = server.port;
    } catch (error) {
      this._diag.debug('could not read operation attributes', error);
    }
    return attributes;
  }

  /** Starts the client span with the operation's attributes and the request's, and runs the request hook. */
  private _startSpan(
    operation: string,
    collection: string | undefined,
    request: unknown,
    operationAttributes: Attributes,
    active: Context,
    config: MilvusInstrumentationConfig,
  ): Span {
    const attributes: Attributes = { ...operationAttributes };
    try {
      Object.assign(
        attributes,
        requestAttributes(operation, request, { captureFilter: config.captureFilter }),
      );
    } catch (error) {
      this._diag.debug('could not read request attributes', error);
    }
    const span = this.tracer.startSpan(
      spanName(operation, collection),
      { kind: SpanKind.CLIENT, attributes },
      active,
    );
    const { requestHook } = config;
    if (requestHook) {
      safeExecuteInTheMiddle(
        () => requestHook(span, { operation, request }),
        (error) => {
          if (error) this._diag.error('requestHook failed', error);
        },
        true,
      );
    }
    return span;
  }

  private _serverOf(client: MilvusClientLike): ServerAttributes {
    const raw = client?.config?.address;
    if (typeof client !== 'object' || client === null) return serverAddress(raw) as ServerAttributes;
    let server = this._servers.get(client);
    if (server === undefined || server.raw !== raw) {
      server = { raw, ...serverAddress(raw) };
      this._servers.set(client, server);
    }
    return server;
  }

  private _setFailure(span: Span, failure: MilvusFailure): void {
    span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, failure.statusCode);
    span.setAttribute(ATTR_ERROR_TYPE, failure.statusCode);
    if (failure.errorCode) span.setAttribute(ATTR_DB_MILVUS_ERROR_CODE, failure.errorCode);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }

  private _endWithResponse(
    span: Span | undefined,
    operation: string,
    start: number,
    attributes: Attributes,
    response: unknown,
  ): void {
    let failure: MilvusFailure | undefined;
    try {
      failure = responseFailure(response);
    } catch (error) {
      this._diag.debug('could not read the response status', error);
    }
    recordOperation(this._operationDuration, start, attributes, failure?.statusCode, failure?.statusCode);
    if (!span) return;
    try {
      if (failure) this._setFailure(span, failure);
      else span.setAttributes(responseAttributes(operation, response));
    } catch (error) {
      this._diag.debug('could not read response attributes', error);
    }
    const { responseHook } = this.getConfig();
    if (responseHook) {
      safeExecuteInTheMiddle(
        () => responseHook(span, { operation, response }),
        (error) => {
          if (error) this._diag.error('responseHook failed', error);
        },
        true,
      );
    }
    span.end();
  }

  private _endWithError(
    span: Span | undefined,
    marker: OperationMarker,
    start: number,
    attributes: Attributes,
    error: unknown,
  ): void {
    const thrown = thrownFailure(error);
    // A thrown Milvus status; else the first failed status of a nested call, which the SDK then failed on.
    const status = thrown.status ?? marker.failure;
    recordOperation(
      this._operationDuration,
      start,
      attributes,
      status ? status.statusCode : thrown.type,
      status?.statusCode,
    );
    if (!span) return;
    if (thrown.status) {
      this._setFailure(span, thrown.status);
      span.recordException({ name: thrown.type, message: thrown.message });
    } else {
      span.recordException(error instanceof Error ? error : thrown.message);
      if (status) this._setFailure(span, status);
      else {
        span.setAttribute(ATTR_ERROR_TYPE, thrown.type);
        span.setStatus({ code: SpanStatusCode.ERROR, message: thrown.message });
      }
    }
    span.end();
  }
}

/**
 * Passes a nested call's result through, keeping the first failed Milvus status it resolves with on the operation.
 * Registered before the SDK awaits the result, so it is kept before the SDK can fail on it.
 */
function watchNested(marker: OperationMarker, result: unknown): unknown {
  if (marker.failure === undefined && isThenable(result)) {
    result.then((response) => {
      try {
        marker.failure ??= responseFailure(response);
      } catch {
        // Not a status the operation can report.
      }
    }, ignore);
  }
  return result;
}

/** The nested call's rejection reaches the SDK, and through it the operation, on its own path. */
function ignore(): void {}
