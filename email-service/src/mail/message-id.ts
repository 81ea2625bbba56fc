import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';

/** RFC 5322 dot-atom-text: what may stand on either side of the `@` of a Message-ID unquoted. */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** A host name: letters, digits and hyphens in dot-separated labels. */
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export class InvalidMessageIdDomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidMessageIdDomainError';
  }
}

/**
 * The domain of every mail's Message-ID: EMAIL_MESSAGE_ID_DOMAIN when set, else the domain of the
 * From address (`Bank <noreply@bank.example>` → `bank.example`), lower-cased. Throws
 * InvalidMessageIdDomainError naming the problem (config validation reports it).
 */
export function messageIdDomain(from: string, explicit?: string): string {
  if (explicit !== undefined) {
    if (!DOMAIN.test(explicit)) throw new InvalidMessageIdDomainError(`"${explicit}" is not a domain name (e.g. mail.bank.example)`);
    return explicit.toLowerCase();
  }
  const address = addressparser(from, { flatten: true })[0]?.address ?? '';
  const domain = address.slice(address.lastIndexOf('@') + 1);
  if (!address.includes('@') || !DOMAIN.test(domain)) {
    throw new InvalidMessageIdDomainError(`EMAIL_FROM "${from}" has no domain to build Message-IDs from: set EMAIL_MESSAGE_ID_DOMAIN`);
  }
  return domain.toLowerCase();
}

/**
 * The Message-ID header of the mail for one event: `<{message_id}@{domain}>`. The same event
 * always gives the same header, so a second copy of a mail (a send whose record was lost in a
 * crash, then repeated by another replica) is recognisable as such by any mail system. A
 * message_id that cannot stand unquoted in the header (not a dot-atom) is replaced by
 * `sha256-<hex of its SHA-256>`, which is just as stable.
 */
export function eventMailMessageId(eventMessageId: string, domain: string): string {
  const left = DOT_ATOM.test(eventMessageId) && eventMessageId.length <= 200 ? eventMessageId : `sha256-${createHash('sha256').update(eventMessageId, 'utf8').digest('hex')}`;
  return `<${left}@${domain}>`;
}
