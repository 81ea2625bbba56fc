import type { Middleware } from 'openapi-fetch';

export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface ApiClientOptions {
  baseUrl: string;
  /** A bearer token, or a function returning the current one (called per request). */
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
