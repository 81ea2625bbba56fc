import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** OWASP's minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const PASSWORD_HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface Argon2idParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** How the service hashes and checks passwords (argon2id; the parameters are the hasher's). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** True when `password` matches `hash`; false for a wrong password or an unreadable hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Spend the same work as a real verification and answer false: login calls this for an unknown
   * e-mail so the response time does not tell which e-mails are registered.
   */
  verifyDummy(password: string): Promise<false>;
  /** A stored hash made with other parameters should be replaced at the next successful login. */
  needsRehash(hash: string): boolean;
}

/** A hash of a random, discarded password made with PASSWORD_HASH_OPTIONS (same verify cost). */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,p=1,t=2$UysL8cBsqlfkngLPkNhi0w$o/qjOba4P56poPoxDxOFq+qnP7nIOQb43sbdnZFpw+g';

/**
 * An argon2id hasher. The service always runs with PASSWORD_HASH_OPTIONS (`passwordHasher`); other
 * parameters exist for the test harness, whose hundreds of registrations and logins would otherwise
 * spend most of the test suite's CPU in hashing.
 */
export function argon2idHasher(parameters: Argon2idParameters, dummyHash?: string): PasswordHasher {
  const options = { ...parameters, type: argon2.argon2id } as const;
  const hash = (password: string) => argon2.hash(password, options);
  const verify = async (stored: string, password: string) => {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false;
    }
  };
  let dummy: Promise<string> | undefined = dummyHash === undefined ? undefined : Promise.resolve(dummyHash);
  return {
    hash,
    verify,
    async verifyDummy(password) {
      dummy ??= hash(randomBytes(16).toString('base64'));
      await verify(await dummy, password);
      return false;
    },
    needsRehash(stored) {
      try {
        return argon2.needsRehash(stored, options);
      } catch {
        return true;
      }
    },
  };
}

/** The service's hasher: argon2id at OWASP's parameters. */
export const passwordHasher: PasswordHasher = argon2idHasher(PASSWORD_HASH_OPTIONS, DUMMY_PASSWORD_HASH);
