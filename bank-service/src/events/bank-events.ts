import { randomUUID } from 'node:crypto';
import { createEventEncoders, type EncodedMessage, type EventNames } from '@bank/events';
import type { Knex } from '../db/database.ts';
import { enqueueMessage, type EnqueuedEvent } from '../outbox/index.ts';
import type { AccessChange } from '../repositories/users-repository.ts';

/** The stored rows an event carries as `data` (only the columns the event schema names are sent). */
export interface AccountEventData {
  id: number;
  client_id: number;
  bank_id: number;
  balance: number;
}
export interface BankEventData {
  id: number;
  name: string;
}
export interface ClientEventData {
  id: number;
  name: string;
  social_status_id: number;
  user_id: number;
}
export interface CardEventData {
  id: number;
  account_id: number;
  balance: number;
}

/** What was written to the outbox for a `bank.created`: its reply comes back with this correlation id. */
export interface EnqueuedRequest extends EnqueuedEvent {
  correlationId: string;
  replyTo: string;
}

/**
 * Domain events of the bank, written to the outbox inside the caller's transaction: each is
 * published (by the relay) if and only if that transaction commits. The payload is validated
 * against the AsyncAPI schema first — an invalid one throws (InvalidMessageError) and nothing is
 * stored. `userId` is the user whose request caused the event.
 */
export interface BankEvents {
  accountCreated(trx: Knex.Transaction, account: AccountEventData, userId: number): Promise<EnqueuedEvent>;
  /** Carries `reply_to` = the callback queue and a new `correlation_id` (email-service replies there). */
  bankCreated(trx: Knex.Transaction, bank: BankEventData, userId: number): Promise<EnqueuedRequest>;
  clientCreated(trx: Knex.Transaction, client: ClientEventData, userId: number): Promise<EnqueuedEvent>;
  cardCreated(trx: Knex.Transaction, card: CardEventData, userId: number): Promise<EnqueuedEvent>;
  /** `user.access.changed`: the user's tokens issued before `change.tokens_revoked_before` are void everywhere. */
  userAccessChanged(trx: Knex.Transaction, change: AccessChange, userId: number): Promise<EnqueuedEvent>;
}

export interface BankEventsOptions {
  names: Partial<EventNames>;
  /** The queue email-service replies to after mailing a `bank.created`. */
  callbackQueue: string;
  /** Called once the transaction that wrote an event has committed (wakes the relay). Never on rollback. */
  onCommitted: () => void;
  /** Clock for `date` and the message timestamp (tests). */
  now?: () => Date;
}

/** The outermost transaction: a savepoint's `executionPromise` settles before the real commit. */
function topLevel(trx: Knex.Transaction): Knex.Transaction {
  let current = trx;
  while (current.parentTransaction !== undefined) current = current.parentTransaction;
  return current;
}

export function createBankEvents(options: BankEventsOptions): BankEvents {
  const encoders = createEventEncoders(options.names);
  const now = options.now ?? (() => new Date());
  const watched = new WeakSet<Knex.Transaction>();

  function afterCommit(trx: Knex.Transaction): void {
    const top = topLevel(trx);
    if (watched.has(top)) return;
    watched.add(top);
    top.executionPromise.then(
      () => options.onCommitted(),
      () => undefined, // rolled back: the rows are gone, nothing to publish
    );
  }

  /** The encoder's output is the outbox row: stored verbatim, published verbatim by the relay. */
  async function store(trx: Knex.Transaction, message: EncodedMessage, at: Date): Promise<EnqueuedEvent> {
    const event = await enqueueMessage(trx, message, at);
    afterCommit(trx);
    return event;
  }

  const common = (userId: number, at: Date, what: string, id: number) => ({
    user_id: userId,
    date: at.toISOString(),
    message: `${what} created with ID: ${id}`,
  });

  return {
    async accountCreated(trx, account, userId) {
      const at = now();
      const payload = {
        ...common(userId, at, 'Account', account.id),
        data: { id: account.id, client_id: account.client_id, bank_id: account.bank_id, balance: account.balance },
      };
      return store(trx, encoders.publishAccountCreated(payload, { timestamp: at }), at);
    },
    async bankCreated(trx, bank, userId) {
      const at = now();
      const payload = { ...common(userId, at, 'Bank', bank.id), data: { id: bank.id, name: bank.name } };
      const correlationId = randomUUID();
      const message = encoders.publishBankCreated(payload, { correlationId, replyTo: options.callbackQueue, timestamp: at });
      const event = await store(trx, message, at);
      return { ...event, correlationId, replyTo: options.callbackQueue };
    },
    async clientCreated(trx, client, userId) {
      const at = now();
      const payload = {
        ...common(userId, at, 'Client', client.id),
        data: { id: client.id, name: client.name, social_status_id: client.social_status_id, user_id: client.user_id },
      };
      return store(trx, encoders.publishClientCreated(payload, { timestamp: at }), at);
    },
    async cardCreated(trx, card, userId) {
      const at = now();
      const payload = {
        ...common(userId, at, 'Card', card.id),
        data: { id: card.id, account_id: card.account_id, balance: card.balance },
      };
      return store(trx, encoders.publishCardCreated(payload, { timestamp: at }), at);
    },
    async userAccessChanged(trx, change, userId) {
      const at = now();
      const payload = {
        user_id: userId,
        date: at.toISOString(),
        message: `Access of user ${change.user_id} changed: ${change.changes.join(', ').replace(/_/g, ' ')}`,
        data: {
          user_id: change.user_id,
          changes: change.changes,
          tokens_revoked_before: change.tokens_revoked_before.toISOString(),
          access_version: change.access_version,
          is_blocked: change.is_blocked,
        },
      };
      return store(trx, encoders.publishUserAccessChanged(payload, { timestamp: at }), at);
    },
  };
}
