import { z } from 'zod';

/** Claims of a token bank-service issues to a user (`sub` is the user id as a string). */
export interface AccessTokenClaims {
  sub: string;
  roles: string[];
  client_id: number | null;
  account_ids: number[];
  iat: number;
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
  exp: z.number().int(),
  iss: z.string(),
  aud: z.string(),
});

/** The verified payload as typed claims, or null when its shape is not ours. */
export function parseTokenClaims(payload: unknown): TokenClaims | null {
  const result = claimsSchema.safeParse(payload);
  if (!result.success) return null;
  const claims: AccessTokenClaims = result.data;
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

/** The user id of a user token. */
export function userIdOf(claims: AccessTokenClaims): number {
  return Number(claims.sub);
}
