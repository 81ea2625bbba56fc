/**
 * Whether a configured secret may be used outside development (issue 10 §1: production started with
 * the repository's example JWT secret, and 32 × "a" passed the length rule). One definition, used by
 * every service's config and by bank-service's CLI:
 *
 * - a known placeholder is refused: any value of the repository's example files (they all say
 *   `change-me`), the built-in development default, and the usual stand-ins (`secret`, `password`…);
 * - a low-entropy value is refused: the strength is zxcvbn-ts's estimate of the guesses an attacker
 *   needs (dictionaries of common passwords, keyboard walks, repeats, sequences, dates — a random
 *   string scores about one decimal digit per character, conservatively). A machine secret (the
 *   JWT key) needs 10^30 guesses (≈ 100 bits: 30 random characters, or 32 bytes of
 *   `openssl rand -base64`); a password someone types (ADMIN_PASS) zxcvbn's score 3 (10^8 guesses).
 */
import { createRequire } from 'node:module';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common';

/** zxcvbn-ts and its dictionaries (≈ 0.4 s to load) are loaded on the first check: development never pays. */
const load = createRequire(import.meta.url);

/** Words that mark a value as a stand-in for a real secret. */
const PLACEHOLDER_PATTERN = /change[-_ .]?me|replace[-_ .]?me|placeholder|example|your[-_ .]?(secret|password)|development[-_ .]only/i;

/** Values that are never secrets, whatever their strength estimate (compared case-insensitively). */
const PLACEHOLDER_VALUES = new Set(['secret', 'password', 'changeme', 'changeit', 'default', 'admin', 'adminpass', 'test', 'jwt-secret']);

/** Guesses (log10) a machine secret must need. */
export const MIN_SECRET_GUESSES_LOG10 = 30;
/** zxcvbn score (0–4) a typed password must reach. */
export const MIN_PASSWORD_SCORE = 3;

export type SecretKind = 'secret' | 'password';

let estimator: ZxcvbnCore.ZxcvbnFactory | undefined;
const estimates = new Map<string, { guessesLog10: number; score: number }>();

/** zxcvbn-ts's estimate, memoised (a config is parsed once per process, tests parse it often). */
function estimate(value: string): { guessesLog10: number; score: number } {
  let found = estimates.get(value);
  if (found === undefined) {
    if (estimator === undefined) {
      const { ZxcvbnFactory: Factory } = load('@zxcvbn-ts/core') as typeof ZxcvbnCore;
      const common = load('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon;
      estimator = new Factory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
    }
    const result = estimator.check(value);
    // rounded: 10^30 guesses come back as 29.999999999999996
    found = { guessesLog10: Math.round(result.guessesLog10 * 1000) / 1000, score: result.score };
    estimates.set(value, found);
  }
  return found;
}

export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER_PATTERN.test(value) || PLACEHOLDER_VALUES.has(value.trim().toLowerCase());
}

/**
 * Why `value` must not be used outside development, as a sentence (the caller prefixes the variable
 * name), or undefined when it may.
 */
export function secretProblem(value: string, kind: SecretKind): string | undefined {
  const generate = kind === 'secret' ? 'generate one, e.g. `openssl rand -base64 48` (`make up` writes random ones into .dockerenv)' : 'choose a long, random password';
  if (isPlaceholderSecret(value)) return `is a placeholder from the examples, not a secret: ${generate}`;
  const { guessesLog10, score } = estimate(value);
  if (kind === 'secret' && guessesLog10 < MIN_SECRET_GUESSES_LOG10) {
    return `has too little entropy (about 10^${Math.floor(guessesLog10)} guesses, at least 10^${MIN_SECRET_GUESSES_LOG10} needed): ${generate}`;
  }
  if (kind === 'password' && score < MIN_PASSWORD_SCORE) {
    return `is too easy to guess (strength ${score} of 4, at least ${MIN_PASSWORD_SCORE} needed): ${generate}`;
  }
  return undefined;
}

/** The password part of a URL (`mysql://user:pass@host/db`), or undefined when it has none or is not a URL. */
export function urlPassword(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
