/* Failures of Milvus calls: the status a response reports, and what a call throws. */
import type { MilvusFailure, MilvusStatusLike } from './internal-types.ts';
import { isRecord, nonEmptyString } from './utils.ts';

function statusOf(value: unknown): MilvusStatusLike | undefined {
  if (!isRecord(value)) return undefined;
  if (isRecord(value.status) && ('error_code' in value.status || 'code' in value.status)) {
    return value.status as MilvusStatusLike;
  }
  if ('error_code' in value || ('code' in value && 'reason' in value)) return value as MilvusStatusLike;
  return undefined;
}

function codeText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

/**
 * The failure a Milvus response reports in its status (`{ status: { error_code, code, reason } }` or a top-level
 * `ResStatus`), or undefined when it succeeded or carries no status. Milvus resolves most failed calls this way.
 */
export function responseFailure(response: unknown): MilvusFailure | undefined {
  const status = statusOf(response);
  if (!status) return undefined;
  const errorCode = codeText(status.error_code);
  const code = codeText(status.code);
  const legacyFailed = errorCode !== undefined && errorCode !== 'Success' && errorCode !== '0';
  const codeFailed = code !== undefined && code !== '0';
  if (!legacyFailed && !codeFailed) return undefined;
  const message =
    nonEmptyString(status.reason) ?? nonEmptyString(status.detail) ?? `Milvus error ${code ?? errorCode}`;
  return {
    statusCode: codeFailed ? (code as string) : (errorCode as string),
    ...(legacyFailed ? { errorCode } : {}),
    message,
  };
}

/** gRPC status codes by number (grpc-js `Status`), for errors of the transport. */
const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/**
 * The gRPC status of a transport error (grpc-js ServiceError: numeric `code`, string `details`), e.g. `UNAVAILABLE`
 * for an unreachable server or `DEADLINE_EXCEEDED` for a call that timed out.
 */
function grpcStatusName(error: Error): string | undefined {
  const { code, details } = error as Error & { code?: unknown; details?: unknown };
  return typeof code === 'number' && typeof details === 'string' ? GRPC_STATUS_NAMES[code] : undefined;
}

/**
 * `error.type` and message of a thrown value: an Error (a gRPC transport error typed by its status name), or a Milvus
 * status object.
 */
export function thrownFailure(error: unknown): { type: string; message: string; status?: MilvusFailure } {
  const status = responseFailure(error);
  if (status && !(error instanceof Error))
    return { type: status.statusCode, message: status.message, status };
  if (error instanceof Error) {
    const type = grpcStatusName(error) ?? (error.name || error.constructor?.name || 'Error');
    return { type, message: error.message };
  }
  return { type: '_OTHER', message: typeof error === 'string' ? error : 'unknown error' };
}
