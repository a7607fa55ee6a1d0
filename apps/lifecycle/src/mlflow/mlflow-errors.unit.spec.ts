import { BadRequestException, NotFoundException } from '@nestjs/common';
import { ConcurrencyError, conflict, invalidInput, invalidState, notFound, preconditionFailed } from '@mlops/event-sourcing';
import { ValidationProblem } from '@mlops/platform';
import { MlflowError, toMlflowError } from './mlflow-errors';
import { decodePageToken, encodePageToken, parseMlflowRequest, mlflowInt } from './mlflow-http';
import { z } from 'zod';

const mapped = (error: unknown) => {
  const m = toMlflowError(error);
  return [m.code, m.status];
};

describe('MLflow errors', () => {
  it("maps our domain errors onto MLflow's codes and statuses", () => {
    expect(mapped(notFound('no run'))).toEqual(['RESOURCE_DOES_NOT_EXIST', 404]);
    expect(mapped(conflict('exists'))).toEqual(['RESOURCE_ALREADY_EXISTS', 400]);
    expect(mapped(new ConcurrencyError('run:x', 3))).toEqual(['ABORTED', 409]);
    expect(mapped(preconditionFailed('changed'))).toEqual(['RESOURCE_CONFLICT', 409]);
    expect(mapped(invalidState('ended'))).toEqual(['INVALID_PARAMETER_VALUE', 400]);
    expect(mapped(invalidInput('bad', [{ field: 'end_time', message: 'too early' }]))).toEqual(['INVALID_PARAMETER_VALUE', 400]);
    expect(mapped(new ValidationProblem([{ field: 'x', message: 'y' }]))).toEqual(['INVALID_PARAMETER_VALUE', 400]);
    expect(mapped(new NotFoundException())).toEqual(['ENDPOINT_NOT_FOUND', 404]);
    expect(mapped(new BadRequestException())).toEqual(['BAD_REQUEST', 400]);
    expect(mapped(new Error('boom'))).toEqual(['INTERNAL_ERROR', 500]);
    const store = Object.assign(new Error('gone'), { name: 'MongoServerSelectionError' });
    expect(mapped(store)).toEqual(['TEMPORARILY_UNAVAILABLE', 503]);
  });

  it('keeps the fields a refused input names in the message', () => {
    expect(toMlflowError(invalidInput('bad', [{ field: 'end_time', message: 'too early' }])).message).toBe('bad: end_time: too early');
  });

  it('answers MlflowErrors as they are', () => {
    const error = new MlflowError('PERMISSION_DENIED', 'no');
    expect(toMlflowError(error)).toBe(error);
    expect(error.status).toBe(403);
    expect(new MlflowError('UNAUTHENTICATED', 'who').status).toBe(401);
  });
});

describe('MLflow request conventions', () => {
  it('round-trips page tokens and refuses a forged one', () => {
    const schema = z.object({ offset: z.number() });
    expect(decodePageToken(encodePageToken({ offset: 40 }), schema)).toEqual({ offset: 40 });
    expect(decodePageToken(undefined, schema)).toBeUndefined();
    expect(() => decodePageToken('not-a-token', schema)).toThrow(MlflowError);
    expect(() => decodePageToken(encodePageToken({ offset: 'x' }), schema)).toThrow(/Invalid page token/);
  });

  it('reads int64 fields sent as numbers or strings, and reports what does not fit', () => {
    const schema = z.object({ step: mlflowInt });
    expect(parseMlflowRequest(schema, { step: '42' })).toEqual({ step: 42 });
    expect(parseMlflowRequest(schema, { step: 7 })).toEqual({ step: 7 });
    expect(() => parseMlflowRequest(schema, { step: '4.2' })).toThrow(/step/);
  });
});
