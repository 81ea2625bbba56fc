/** The connection settings an `SMTP_URL` names. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (`smtps://`). */
  secure: boolean;
  /** STARTTLS is mandatory (`?starttls=required`): fail rather than send in clear. */
  requireTLS: boolean;
  /** Never upgrade, even when offered (`?starttls=never`). */
  ignoreTLS: boolean;
  auth?: { user: string; pass: string };
}

export class InvalidSmtpUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSmtpUrlError';
  }
}

/**
 * Parses `smtp://[user:pass@]host[:port][?starttls=required|opportunistic|never]` (default port 587;
 * STARTTLS used when offered) or `smtps://[user:pass@]host[:port]` (default port 465). User and
 * password are percent-decoded. Error messages never echo the password.
 */
export function parseSmtpUrl(smtpUrl: string): SmtpEndpoint {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new InvalidSmtpUrlError('SMTP_URL is not a valid URL');
  }
  const scheme = url.protocol;
  if (scheme !== 'smtp:' && scheme !== 'smtps:') {
    throw new InvalidSmtpUrlError(`SMTP_URL must start with smtp:// or smtps:// (got ${scheme}//)`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new InvalidSmtpUrlError('SMTP_URL has no host');
  const secure = scheme === 'smtps:';
  const port = url.port ? Number(url.port) : secure ? 465 : 587;

  for (const key of url.searchParams.keys()) {
    if (key !== 'starttls') throw new InvalidSmtpUrlError(`SMTP_URL has an unknown parameter "${key}"`);
  }
  const starttls = url.searchParams.get('starttls') ?? 'opportunistic';
  if (!['required', 'opportunistic', 'never'].includes(starttls)) {
    throw new InvalidSmtpUrlError('SMTP_URL starttls must be required, opportunistic or never');
  }
  if (secure && starttls !== 'opportunistic') {
    throw new InvalidSmtpUrlError('SMTP_URL starttls does not apply to smtps:// (already TLS)');
  }

  const endpoint: SmtpEndpoint = {
    host,
    port,
    secure,
    requireTLS: starttls === 'required',
    ignoreTLS: starttls === 'never',
  };
  if (url.username || url.password) {
    endpoint.auth = { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
  }
  return endpoint;
}
