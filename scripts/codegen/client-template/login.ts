import type { ApiClientOptions } from './auth.ts';
import { createBankApiClient } from './bank-api/client.ts';

export interface LoginOptions extends Omit<ApiClientOptions, 'token'> {
  /** bank-service's URL (the token it issues is accepted by log-service too). */
  baseUrl: string;
  email: string;
  password: string;
}

/** Why `POST /auth/login` refused: 400 invalid input, 401 wrong e-mail or password, 403 blocked user, 429 too many attempts. */
export class LoginError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'LoginError';
  }
}

/** `POST /auth/login`: resolves the access token (a JWT valid for 15 minutes), or rejects with a LoginError. */
export async function logIn(options: LoginOptions): Promise<string> {
  const { email, password, ...clientOptions } = options;
  const { data, error, response } = await createBankApiClient(clientOptions).POST('/auth/login', { body: { email, password } });
  if (data) return data.access_token;
  const msg = error && typeof error === 'object' && 'msg' in error && typeof error.msg === 'string' ? error.msg : response.statusText;
  throw new LoginError(response.status, `login failed (${response.status}): ${msg}`);
}

/** Seconds since the epoch at which a JWT expires (its `exp` claim), undefined when unreadable. */
function expiresAt(token: string): number | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token source for `createBankApiClient({ token })` / `createLogApiClient({ token })`: logs in on
 * first use and again when the token is within `renewSeconds` (default 30) of its expiry.
 */
export function loginSession(options: LoginOptions & { renewSeconds?: number }): () => Promise<string> {
  const { renewSeconds = 30, ...login } = options;
  let current: Promise<string> | undefined;
  return async () => {
    if (current) {
      const token = await current.catch(() => undefined);
      const exp = token === undefined ? undefined : expiresAt(token);
      if (token !== undefined && (exp === undefined || exp - renewSeconds > Date.now() / 1000)) return token;
    }
    current = logIn(login);
    return current;
  };
}
