// Hand-made JWTs for attack tests: any header, any payload, any signature (no library refuses).
//
//   forgeJwt(header, payload, sign)   `<b64url(header)>.<b64url(payload)>.<sign(signingInput)>`
//   hmacSigner(alg, secret)           HS256/384/512 over any secret (string, PEM, Buffer)
//   rsaSigner(privateKey)             RS256 with a KeyObject
//   unsigned                          an empty signature (for `alg: none`)
//   userClaims(sub, overrides?)       well-formed claims for the test issuer/audience, valid for 10 minutes
//   splitJwt(token) / b64urlJson(value)
import { createHmac, sign as rsaSign, type KeyObject } from 'node:crypto';
import { testConfig } from '../../support/test-config.ts';

export type Signer = (signingInput: string) => string;

export function b64urlJson(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');
}

export function forgeJwt(header: unknown, payload: unknown, sign: Signer): string {
  const input = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  return `${input}.${sign(input)}`;
}

export function hmacSigner(alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer): Signer {
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return (input) => createHmac(digest, secret).update(input).digest('base64url');
}

export function rsaSigner(privateKey: KeyObject): Signer {
  return (input) => rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url');
}

export const unsigned: Signer = () => '';

export function splitJwt(token: string): { header: string; payload: string; signature: string } {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) throw new Error('not a JWT');
  return { header, payload, signature };
}

/** Claims shaped like the bank's, for the test issuer and audience, valid for ten minutes. */
export function userClaims(sub: string | number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    roles: ['admin'],
    client_id: null,
    account_ids: [],
    iat: now,
    exp: now + 600,
    iss: testConfig.JWT_ISSUER,
    aud: testConfig.JWT_AUDIENCE,
    ...overrides,
  };
}

/** The bank's real signing secret in the tests (for controls and for well-signed but malformed claims). */
export const REAL_SECRET = testConfig.JWT_SECRET_KEY;
