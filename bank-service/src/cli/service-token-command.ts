import { createJwtKey, signServiceToken } from '@bank/platform/auth';
import { checkJwtSecret, environments, jwtFields, parseConfig, z } from '@bank/platform/config';

export const SERVICE_TOKEN_USAGE = 'service-token [--service <name>] [--expires-in <seconds>]';

/** What `service-token` reads from the environment: the JWT settings bank-service signs with. */
const serviceTokenSchema = z
  .object({ APP_ENV: z.enum(environments).default('development'), ...jwtFields })
  .superRefine((cfg, ctx) => checkJwtSecret(cfg, ctx));

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value (usage: ${SERVICE_TOKEN_USAGE})`);
  return value;
}

/**
 * `service-token`: a service token (role `service`) signed with JWT_SECRET_KEY, JWT_ISSUER and
 * JWT_AUDIENCE, as bank-service signs the ones it sends to log-service — what `POST /logs` needs.
 * Default lifetime 900 s (at most one day).
 */
export function runServiceTokenCommand(env: Record<string, string | undefined>, args: string[]): string {
  const known = new Set(['--service', '--expires-in']);
  const unknown = args.filter((arg, i) => arg.startsWith('--') ? !known.has(arg) : !known.has(args[i - 1] ?? ''));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]} (usage: ${SERVICE_TOKEN_USAGE})`);
  const config = parseConfig(serviceTokenSchema, env);
  const service = option(args, '--service') ?? 'bank-service';
  const expiresIn = Number(option(args, '--expires-in') ?? 900);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 86_400) throw new Error('--expires-in must be a whole number of seconds from 1 to 86400');
  return signServiceToken(createJwtKey(config.JWT_SECRET_KEY), service, {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    expiresInSeconds: expiresIn,
  });
}
