import { SqliteUserAccessStore, type UserAccessStore } from '@bank/platform/auth';
import { openSqliteFile } from '../../src/sent-store/open-sqlite.ts';
import { randomUUID } from 'node:crypto';
import type { AccountCreated, BankCreated } from '@bank/events';
import { loadEmailConfig, type EmailConfig } from '../../src/config.ts';
import type { MailTransport } from '../../src/mail/index.ts';
import { eventReferenceOf } from '../../src/consumer/event-mail.ts';
import type { CaughtMessage } from '../../src/catcher/index.ts';

/** A strong (≥ 32 bytes, random) secret shared with the "bank" that signs the test tokens. */
export const TEST_SECRET = 'email-test-Xq8vT2mLr4ZpK7wNc3HdF9sGy6BjUa1E';

/** A validated config for tests: short backoff, two receivers, the given SMTP port. */
export function testConfig(smtpPort: number, overrides: Record<string, string> = {}): EmailConfig {
  return loadEmailConfig({
    APP_ENV: 'test',
    JWT_SECRET_KEY: TEST_SECRET,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    EMAIL_RECEIVERS: 'ops@bank.test, audit@bank.test',
    EMAIL_SUBJECT: 'Message from Bank service',
    SENT_STORE_URL: ':memory:',
    SEND_MAX_ATTEMPTS: '40',
    SEND_RETRY_BASE_MS: '20',
    SEND_RETRY_MAX_MS: '100',
    PREFETCH: '10',
    ...overrides,
  });
}

export function accountCreated(id: number, overrides: Partial<AccountCreated['data']> = {}): AccountCreated {
  return {
    user_id: 4,
    date: '2025-01-16T17:10:26Z',
    message: `Account created with ID: ${id}`,
    data: { id, client_id: 3, bank_id: 2, balance: 1500, ...overrides },
  };
}

export function bankCreated(id: number, name = 'Northwind Savings'): BankCreated {
  return { user_id: 1, date: '2025-01-16T17:10:26Z', message: `Bank created with ID: ${id}`, data: { id, name } };
}

export const newId = (): string => randomUUID();

/** The event message ids named by the caught mails (one entry per mail). */
export function mailedEventIds(messages: readonly CaughtMessage[]): string[] {
  return messages.map((m) => eventReferenceOf(m.text)).filter((id): id is string => id !== null);
}

/** Let pending deliveries and retries run for a while (for asserting that something did NOT happen). */
export function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An empty record of revoked tokens in a private in-memory SQLite database (nothing revoked). */
export function memoryAccessStore(): UserAccessStore {
  return new SqliteUserAccessStore(openSqliteFile(':memory:'));
}

/**
 * A transport without a server: `decide` sees each mail and throws to refuse it (any error the
 * real transport throws), or returns to accept it; accepted mails get Message-IDs `<m1@test>`, ….
 */
export function scriptedTransport(decide: (mail: Parameters<MailTransport['send']>[0]) => void): MailTransport {
  let accepted = 0;
  return {
    async send(mail) {
      decide(mail);
      accepted += 1;
      return { messageId: `<m${accepted}@test>`, accepted: ['ops@bank.test'], rejected: [] } as unknown as Awaited<ReturnType<MailTransport['send']>>;
    },
    verify: async () => {},
    close: () => {},
  };
}
