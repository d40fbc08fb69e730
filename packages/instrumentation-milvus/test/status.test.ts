import { describe, expect, it } from 'vitest';
import { responseFailure, thrownFailure } from '../src/status.ts';

describe('responseFailure', () => {
  it('is undefined for a success, top-level or under status', () => {
    expect(responseFailure({ error_code: 'Success', reason: '', code: 0 })).toBeUndefined();
    expect(responseFailure({ status: { error_code: 'Success', reason: '' }, results: [] })).toBeUndefined();
    expect(responseFailure({ status: { code: 0, reason: '' } })).toBeUndefined();
    expect(responseFailure({ value: true })).toBeUndefined();
    expect(responseFailure(undefined)).toBeUndefined();
    expect(responseFailure('Success')).toBeUndefined();
  });

  it('prefers the numeric code, keeps the legacy name and the reason', () => {
    expect(
      responseFailure({
        status: { error_code: 'UnexpectedError', code: 100, reason: 'collection not found[collection=x]' },
      }),
    ).toEqual({
      statusCode: '100',
      errorCode: 'UnexpectedError',
      message: 'collection not found[collection=x]',
    });
    expect(responseFailure({ error_code: 'IndexNotExist', reason: 'index not exist' })).toEqual({
      statusCode: 'IndexNotExist',
      errorCode: 'IndexNotExist',
      message: 'index not exist',
    });
    expect(responseFailure({ status: { error_code: 'Success', code: 65535, detail: 'boom' } })).toEqual({
      statusCode: '65535',
      message: 'boom',
    });
    expect(responseFailure({ status: { error_code: 'UnexpectedError', reason: '' } })?.message).toBe(
      'Milvus error UnexpectedError',
    );
  });
});

describe('thrownFailure', () => {
  it('classifies errors, thrown status objects and anything else', () => {
    expect(thrownFailure(new TypeError('bad'))).toEqual({ type: 'TypeError', message: 'bad' });
    // A gRPC transport error (grpc-js ServiceError) is typed by its status: the server was unreachable, timed out…
    const unreachable = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
    });
    expect(thrownFailure(unreachable)).toEqual({ type: 'UNAVAILABLE', message: unreachable.message });
    const late = Object.assign(new Error('4 DEADLINE_EXCEEDED: Deadline exceeded'), {
      code: 4,
      details: 'x',
    });
    expect(thrownFailure(late).type).toBe('DEADLINE_EXCEEDED');
    expect(thrownFailure(Object.assign(new Error('odd'), { code: 99, details: 'x' })).type).toBe('Error');
    const status = thrownFailure({ error_code: 'CollectionNotExists', code: 100, reason: 'gone' });
    expect(status).toMatchObject({ type: '100', message: 'gone' });
    expect(status.status?.errorCode).toBe('CollectionNotExists');
    expect(thrownFailure('nope')).toEqual({ type: '_OTHER', message: 'nope' });
    expect(thrownFailure(undefined)).toEqual({ type: '_OTHER', message: 'unknown error' });
  });
});
