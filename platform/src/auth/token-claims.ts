import { z } from 'zod';

/** Claims of a token bank-service issues to a user (`sub` is the user id as a string). */
export interface AccessTokenClaims {
  sub: string;
  roles: string[];
  client_id: number | null;
  account_ids: number[];
  iat: number;
  /**
   * When the token was issued, in milliseconds since the epoch (a claim of ours: `iat` is whole
   * seconds). Revocation compares it with the user's revocation time, so that a token issued in the
   * same second as a block or password change is judged by which came first. Tokens without it
   * (none are issued any more) count as issued at `iat` × 1000.
   */
  iat_ms?: number;
  exp: number;
  iss: string;
  aud: string;
}

/**
 * Claims of a token one service presents to another (bank → log): `sub` is `service:<name>`,
 * `roles` is exactly ['service'], no client, no accounts (checked by isServiceToken).
 */
export interface ServiceTokenClaims extends AccessTokenClaims {
  sub: `service:${string}`;
  client_id: null;
}

export type TokenClaims = AccessTokenClaims | ServiceTokenClaims;

/** What the issuer decides; `iat`/`exp`/`iss`/`aud` are added when signing. */
export type AccessClaimsInput = Pick<AccessTokenClaims, 'sub' | 'roles' | 'client_id' | 'account_ids'>;

export const SERVICE_ROLE = 'service';

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(z.string()),
  client_id: z.number().int().positive().nullable(),
  account_ids: z.array(z.number().int().positive()),
  iat: z.number().int(),
  iat_ms: z.number().int().nonnegative().optional(),
  exp: z.number().int(),
  iss: z.string(),
  aud: z.string(),
});

/** The verified payload as typed claims, or null when its shape is not ours. */
export function parseTokenClaims(payload: unknown): TokenClaims | null {
  const result = claimsSchema.safeParse(payload);
  if (!result.success) return null;
  const { iat_ms, ...rest } = result.data;
  // `iat_ms` must name an instant within the second `iat` names.
  if (iat_ms !== undefined && Math.floor(iat_ms / 1000) !== rest.iat) return null;
  const claims: AccessTokenClaims = iat_ms === undefined ? rest : { ...rest, iat_ms };
  if (isServiceToken(claims)) return claims;
  // A user token names a user id and never carries the service role.
  if (!/^[1-9]\d*$/.test(claims.sub) || claims.roles.includes(SERVICE_ROLE)) return null;
  return claims;
}

export function isServiceToken(claims: AccessTokenClaims): claims is ServiceTokenClaims {
  return (
    claims.sub.startsWith('service:') &&
    claims.roles.length === 1 &&
    claims.roles[0] === SERVICE_ROLE &&
    claims.client_id === null &&
    claims.account_ids.length === 0
  );
}

/** When the token was issued, in milliseconds (its `iat_ms`, else `iat` seconds). */
export function issuedAtMs(claims: AccessTokenClaims): number {
  return claims.iat_ms ?? claims.iat * 1000;
}

/** The user id of a user token. */
export function userIdOf(claims: AccessTokenClaims): number {
  return Number(claims.sub);
}
