import { createSecretKey, type KeyObject } from 'node:crypto';
import { secretProblem } from '../secret-strength.ts';

export type { KeyObject };

/** HS256 needs a secret of at least 256 bits outside development. */
export const MIN_SECRET_BYTES = 32;

export class WeakSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeakSecretError';
  }
}

/**
 * Refuse a missing secret anywhere, and unless `env` is `development` one shorter than 32 bytes, a
 * placeholder or a guessable one (secret-strength.ts, the rule the services' config applies).
 * `env` is the service's NODE_ENV/APP_ENV value; the error names the variable to fix.
 */
export function assertStrongSecret(secret: string | undefined, env: string | undefined, variable = 'JWT_SECRET'): void {
  if (secret === undefined || secret.length === 0) {
    throw new WeakSecretError(`${variable} is not set: configure a random secret of at least ${MIN_SECRET_BYTES} bytes`);
  }
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (env !== 'development' && bytes < MIN_SECRET_BYTES) {
    throw new WeakSecretError(
      `${variable} is too short (${bytes} bytes): use at least ${MIN_SECRET_BYTES} random bytes outside development ` +
        `(e.g. \`openssl rand -base64 48\`)`,
    );
  }
  const problem = env === 'development' ? undefined : secretProblem(secret, 'secret');
  if (problem !== undefined) throw new WeakSecretError(`${variable} ${problem}`);
}

/**
 * Build the signing/verification key once at start-up: jsonwebtoken verifies in microseconds with a
 * KeyObject, while a string secret is re-imported on every call.
 */
export function createJwtKey(secret: string): KeyObject {
  if (secret.length === 0) throw new WeakSecretError('a JWT secret cannot be empty');
  return createSecretKey(Buffer.from(secret, 'utf8'));
}
