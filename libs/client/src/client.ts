import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { ApiError, problemOf } from './problem';
import type { paths } from './schema';

export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  /** The gateway's base URL; in the console, the page's own origin. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <key>` when the gateway has API keys on. */
  apiKey?: string;
  fetch?: (input: Request) => Promise<Response>;
}

/** A typed client of the gateway's merged API, for Node and the browser. */
export function createApiClient({ baseUrl, apiKey, fetch }: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, ''), ...(fetch ? { fetch } : {}) });
  if (apiKey) {
    const auth: Middleware = {
      onRequest({ request }) {
        request.headers.set('Authorization', `Bearer ${apiKey}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}

/** A successful answer and the ETag it carried (what the next change sends as If-Match). */
export interface Tagged<T> {
  data: T;
  etag: string | null;
}

/**
 * Turns an openapi-fetch result into its data and ETag, or throws ApiError with the problem+json
 * body, so callers (and TanStack Query) see one error type.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Tagged<T>> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(problemOf(error, response));
  return { data: data as T, etag: response.headers.get('etag') };
}
