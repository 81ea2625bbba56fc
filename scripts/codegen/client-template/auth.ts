import type { Middleware } from 'openapi-fetch';

/** A bearer token, or a function returning the current one (called before every request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface ApiClientOptions {
  /** Where the API is served, e.g. `http://localhost:5000` (bank) or `http://localhost:8000` (log). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token?: TokenSource;
  /** A fetch implementation, e.g. one bound to an undici Agent that trusts a private CA. */
  fetch?: (input: Request) => Promise<Response>;
}

/** openapi-fetch middleware adding `Authorization: Bearer <token>` to every request. */
export function bearerTokenMiddleware(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      const value = typeof token === 'string' ? token : await token();
      if (value) request.headers.set('Authorization', `Bearer ${value}`);
      return request;
    },
  };
}
