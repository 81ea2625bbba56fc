/**
 * Why an SMTP send failed, in the two classes the consumer treats differently:
 * - `unavailable`: the server could not be used at all or deferred the mail — connection refused
 *   or lost, DNS, timeouts, TLS, authentication, protocol errors, and every 4xx reply. The mail
 *   is fine; it waits for the server.
 * - `rejected`: the server answered and refused this mail for good (a 5xx reply to MAIL FROM,
 *   RCPT TO or DATA), or nodemailer refused the envelope or message before sending it.
 */
export type SmtpFailureKind = 'unavailable' | 'rejected';

/** The fields nodemailer sets on its errors. */
interface NodemailerErrorFields {
  code?: unknown;
  responseCode?: unknown;
}

/** Codes of nodemailer errors about the mail itself (envelope or content), not the connection. */
const MAIL_CODES = new Set(['EENVELOPE', 'EMESSAGE']);

export function classifySmtpFailure(err: unknown): SmtpFailureKind {
  const { code, responseCode } = (typeof err === 'object' && err !== null ? err : {}) as NodemailerErrorFields;
  if (typeof code !== 'string' || !MAIL_CODES.has(code)) return 'unavailable';
  if (typeof responseCode === 'number') return responseCode >= 500 ? 'rejected' : 'unavailable';
  return 'rejected'; // refused by nodemailer before any reply (e.g. an invalid recipient address)
}

/** The SMTP server could not take the mail now (see classifySmtpFailure); nothing was sent. */
export class SmtpUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`SMTP server unavailable: ${describe(cause)}`, { cause });
    this.name = 'SmtpUnavailableError';
  }
}

/** The SMTP server refused this mail (5xx); nothing was sent. */
export class SmtpRejectedError extends Error {
  readonly responseCode: number | undefined;
  constructor(cause: unknown) {
    super(`SMTP server rejected the mail: ${describe(cause)}`, { cause });
    this.name = 'SmtpRejectedError';
    const code = (cause as NodemailerErrorFields | undefined)?.responseCode;
    this.responseCode = typeof code === 'number' ? code : undefined;
  }
}

/** Wrap a send failure in the error of its class. */
export function smtpFailure(err: unknown): SmtpUnavailableError | SmtpRejectedError {
  return classifySmtpFailure(err) === 'rejected' ? new SmtpRejectedError(err) : new SmtpUnavailableError(err);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
