/** An RFC 9457 problem+json body, as every service and the gateway answer errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field-level reasons: invalid input, or the required checklist items a promotion misses. */
  errors?: { field?: string; message: string }[];
}

/** A non-2xx answer, carrying its problem+json body (or one made from the status when the body is not one). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }

  /** 412: the resource changed since its ETag was read — reload before trying again. */
  get isConflict(): boolean {
    return this.status === 412;
  }
}

export function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).status === 'number' && typeof (body as Problem).title === 'string';
}

export function problemOf(body: unknown, response: Response): Problem {
  if (isProblem(body)) return body;
  const detail = typeof body === 'string' && body ? body : undefined;
  return { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, ...(detail ? { detail } : {}) };
}
