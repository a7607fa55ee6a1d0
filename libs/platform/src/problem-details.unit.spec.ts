import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ConcurrencyError, conflict, invalidState, notFound, preconditionFailed } from '@mlops/event-sourcing';
import { toProblem, ValidationProblem } from './problem-details';

describe('problem details (RFC 9457)', () => {
  it.each([
    [notFound('no experiment x'), 404],
    [conflict('exists'), 409],
    [new ConcurrencyError('experiment:x', 3), 409],
    [preconditionFailed('stale'), 412],
    [invalidState('active → pending is not allowed', [{ field: 'status', message: 'illegal transition' }]), 422],
  ])('maps %p to %i', (error, status) => {
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status, detail: error.message, type: expect.stringMatching(/^urn:mlops:problem:/) });
    expect(problem.title.length).toBeGreaterThan(0);
  });

  it('keeps per-field errors of a domain error', () => {
    expect(toProblem(invalidState('no', [{ field: 'status', message: 'illegal' }])).errors).toEqual([
      { field: 'status', message: 'illegal' },
    ]);
  });

  it('lists every invalid field of a validation failure', () => {
    const problem = toProblem(new ValidationProblem([{ field: 'name', message: 'must be a string' }]));
    expect(problem).toMatchObject({ status: 400, errors: [{ field: 'name', message: 'must be a string' }] });
  });

  it('passes HTTP exceptions through with their status', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x')).status).toBe(404);
    expect(toProblem(new PayloadTooLargeException()).status).toBe(413);
    expect(toProblem(new BadRequestException(['a', 'b'])).detail).toBe('a; b');
  });

  it('hides the details of unexpected errors behind a 500', () => {
    const problem = toProblem(new Error('connection string mongodb://user:secret@db'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('secret');
  });
});
