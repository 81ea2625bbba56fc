import {
  InvalidMessageError,
  PermanentMessageError,
  type BankCreated,
  type ConsumeEmailServiceQueueHandlers,
  type EventChannels,
  type MessageMeta,
  type Subscription,
} from '@bank/events';
import type { UserAccessStore } from '@bank/platform/auth';
import { DependencyUnavailableError, recordAccessChange, type ConsumeFailure } from '@bank/platform/events';
import type { Logger } from '@bank/platform/logging';
import { SmtpUnavailableError, type EventMailPayload, type MailTransport } from '../mail/index.ts';
import type { SentStore } from '../sent-store/index.ts';
import { ClaimedElsewhereError } from './claimed-elsewhere-error.ts';
import { buildEventMail } from './event-mail.ts';
import { KeyedLock } from './keyed-lock.ts';
import { MailSendFailedError } from './mail-send-failed-error.ts';
import { replyMessageId } from './reply-message-id.ts';

export interface EventMailSettings {
  /** EMAIL_RECEIVERS (never empty). */
  receivers: readonly string[];
  /** EMAIL_SUBJECT: the subject prefix. */
  subjectPrefix: string;
  /** EMAIL_MESSAGE_ID_DOMAIN (resolved): every mail's Message-ID is `<message_id@domain>`. */
  messageIdDomain: string;
  /** This replica's name in send claims (one per process). */
  replicaId: string;
  /** SEND_CLAIM_LEASE_MS: how long a claim holds before another replica may take the message over. */
  claimLeaseMs: number;
}

/** How an SMTP send ended, for readiness: `unavailable` marks SMTP down until the server answers again. */
export type SmtpOutcome = 'accepted' | 'rejected' | 'unavailable';

export interface EventMailDeps {
  channels: EventChannels;
  transport: MailTransport;
  sentStore: SentStore;
  /** The record of revoked tokens, fed by `user.access.changed`. */
  accessStore: UserAccessStore;
  logger: Logger;
  now?: () => Date;
  /** Told the outcome of every send (the readiness probe listens). */
  onSmtpOutcome?: (outcome: SmtpOutcome) => void;
}

export interface EventMailConsumerOptions extends EventMailSettings {
  prefetch: number;
  /**
   * In-process attempts (SEND_MAX_ATTEMPTS) before the message is dead-lettered. Only failures
   * while the SMTP server answers count (it refused the mail); an unreachable SMTP server or
   * sent store, and another replica's live claim, make the message wait without counting.
   */
  maxAttempts: number;
  /** Backoff base / cap between attempts (SEND_RETRY_BASE_MS / SEND_RETRY_MAX_MS). */
  baseMs: number;
  maxMs: number;
  /** Also called for every consume failure (after it was logged). */
  onError?: (failure: ConsumeFailure) => void;
}

/** How often recording a mail that the SMTP server accepted is retried before giving up. */
const RECORD_ATTEMPTS = 3;

/**
 * The handlers of the `email-service` queue.
 *
 * Every `*.created` event is mailed at most once per `message_id` across all replicas sharing the
 * sent store: the replica first claims the message (atomic in the store, with a lease); a message
 * already marked sent is not mailed again; one claimed by another live replica waits. The claim
 * holder renders and sends the mail — its Message-ID derived from the message id — and marks it
 * sent only after the SMTP server accepted it. If the holder dies in between, the claim lapses
 * after the lease and another replica sends again: that copy has the same Message-ID.
 *
 * Failures: an unreachable or deferring SMTP server (connection, timeout, auth, 4xx) and an
 * unreachable sent store throw DependencyUnavailableError — the message waits in hand, uncounted;
 * a 5xx refusal throws MailSendFailedError, which the platform retries up to SEND_MAX_ATTEMPTS,
 * then dead-letters. Copies of one message in flight in this process are handled one after the
 * other (KeyedLock).
 *
 * `bank.created` is then answered on its `reply_to` queue with `{status: 'sent', …}` — only once
 * the mail was accepted (now or on an earlier delivery) and only if no reply was recorded yet;
 * a redelivery after a crash between mail and reply publishes the reply only. A `bank.created`
 * without `reply_to` or `correlation_id` is still mailed (the mail is the event's main effect),
 * then dead-lettered with the reason, because nobody can be answered.
 *
 * `user.access.changed` is no mail: it is merged into the record of revoked tokens (accessStore,
 * monotonic, so a redelivered or reordered message changes nothing) and acked; an unreachable
 * record makes it wait like an unreachable sent store, a message that cannot be recorded is
 * dead-lettered.
 */
export function createEventMailHandlers(deps: EventMailDeps, settings: EventMailSettings): ConsumeEmailServiceQueueHandlers {
  const { channels, transport, sentStore, accessStore, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const lock = new KeyedLock();
  /** Mails the server accepted whose record failed: never sent again by this process. */
  const unrecorded = new Map<string, { routingKey: string; sentAt: Date; smtpMessageId: string }>();

  /**
   * A sent-store (or access-store) call; when it fails and the store does not answer a ping either,
   * the store is down: DependencyUnavailableError (the message waits). Otherwise the error stays what it is.
   */
  async function stored<T>(what: string, call: () => Promise<T>, store: { ping(): Promise<void> } = sentStore, name = 'sent-store'): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const reachable = await store.ping().then(
        () => true,
        () => false,
      );
      if (reachable) throw err;
      throw new DependencyUnavailableError(name, `the ${name.replace('-', ' ')} is unavailable (${what}): ${errorMessage(err)}`, { cause: err });
    }
  }

  async function record(messageId: string, info: { routingKey: string; sentAt: Date; smtpMessageId: string }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await stored('recording a sent mail', () => sentStore.markSent(messageId, info));
        unrecorded.delete(messageId);
        return;
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) {
          unrecorded.set(messageId, info);
          if (err instanceof DependencyUnavailableError) throw err;
          throw new Error(`the mail for ${messageId} was sent but could not be recorded: ${errorMessage(err)}`, { cause: err });
        }
      }
    }
  }

  async function send(payload: EventMailPayload, meta: MessageMeta): Promise<string> {
    const mail = buildEventMail(meta.type, payload, meta.messageId, settings);
    try {
      const { messageId } = await transport.send(mail);
      deps.onSmtpOutcome?.('accepted');
      return messageId;
    } catch (err) {
      // nothing went out: let the next delivery (on any replica) claim it at once
      await sentStore.release(meta.messageId, settings.replicaId).catch((releaseErr: unknown) => {
        logger.warn({ messageId: meta.messageId, err: errorMessage(releaseErr) }, 'releasing the send claim failed; it lapses after the lease');
      });
      if (err instanceof SmtpUnavailableError) {
        deps.onSmtpOutcome?.('unavailable');
        throw new DependencyUnavailableError('smtp', `mail for ${meta.type} ${meta.messageId} not sent: ${err.message}`, { cause: err });
      }
      deps.onSmtpOutcome?.('rejected');
      throw new MailSendFailedError(meta.messageId, meta.type, err);
    }
  }

  /** Mail the event unless it was mailed before; resolves with when the mail was accepted. */
  async function mailOnce(payload: EventMailPayload, meta: MessageMeta): Promise<Date> {
    const pending = unrecorded.get(meta.messageId);
    if (pending) {
      await record(meta.messageId, pending);
      return pending.sentAt;
    }
    const claim = await stored('claiming a message', () =>
      sentStore.claim(meta.messageId, { owner: settings.replicaId, leaseMs: settings.claimLeaseMs, routingKey: meta.type }),
    );
    if (claim.status === 'sent') {
      logger.info({ messageId: meta.messageId, type: meta.type, redelivered: meta.redelivered }, 'event already mailed; not mailing again');
      return new Date(claim.record.sentAt ?? now());
    }
    if (claim.status === 'claimed-elsewhere') throw new ClaimedElsewhereError(meta.messageId, claim.owner, claim.until);
    const smtpMessageId = await send(payload, meta);
    const sentAt = now();
    await record(meta.messageId, { routingKey: meta.type, sentAt, smtpMessageId });
    logger.info({ messageId: meta.messageId, type: meta.type, smtpMessageId, attempt: meta.attempt, redelivered: meta.redelivered }, 'event mailed');
    return sentAt;
  }

  async function reply(meta: MessageMeta & { replyTo: string; correlationId: string }, sentAt: Date): Promise<void> {
    if (await stored('reading the reply mark', () => sentStore.wasReplied(meta.messageId))) {
      logger.info({ messageId: meta.messageId, correlationId: meta.correlationId }, 'bank.created already answered; not replying again');
      return;
    }
    try {
      await channels.sendBankCreatedReply(
        meta.replyTo,
        { status: 'sent', correlation_id: meta.correlationId, message_id: meta.messageId, sent_at: sentAt.toISOString() },
        { correlationId: meta.correlationId, messageId: replyMessageId(meta.messageId) },
      );
    } catch (err) {
      // A reply that fails its schema (e.g. a message id that is no uuid) can never be sent.
      if (err instanceof InvalidMessageError) throw new PermanentMessageError(`bank.created was mailed but cannot be answered: ${err.message}`, { cause: err });
      throw err;
    }
    await stored('recording the reply', () => sentStore.markReplied(meta.messageId, now()));
    logger.info({ messageId: meta.messageId, correlationId: meta.correlationId, replyTo: meta.replyTo }, 'bank.created answered');
  }

  const mailEvent = (payload: EventMailPayload, meta: MessageMeta): Promise<void> =>
    lock.run(meta.messageId, async () => {
      await mailOnce(payload, meta);
    });

  const mailBankCreated = (payload: BankCreated, meta: MessageMeta): Promise<void> =>
    lock.run(meta.messageId, async () => {
      const sentAt = await mailOnce(asMailPayload(payload), meta);
      const { replyTo, correlationId } = meta;
      if (!replyTo || !correlationId) {
        const missing = [replyTo ? null : 'reply_to', correlationId ? null : 'correlation_id'].filter(Boolean).join(' and ');
        throw new PermanentMessageError(`bank.created ${meta.messageId} was mailed but has no ${missing}: no reply can be sent`);
      }
      await reply({ ...meta, replyTo, correlationId }, sentAt);
    });

  return {
    accountCreated: (payload, meta) => mailEvent(asMailPayload(payload), meta),
    clientCreated: (payload, meta) => mailEvent(asMailPayload(payload), meta),
    cardCreated: (payload, meta) => mailEvent(asMailPayload(payload), meta),
    bankCreated: mailBankCreated,
    userAccessChanged: (payload, meta) =>
      stored('recording a user access change', () => recordAccessChange(accessStore, payload, meta, logger), accessStore, 'access-store'),
  };
}

/** Attach the handlers to the `email-service` queue (prefetch, retries with backoff; dependency waits uncounted). */
export function startEventMailConsumer(deps: EventMailDeps, options: EventMailConsumerOptions): Promise<Subscription> {
  const { logger } = deps;
  const handlers = createEventMailHandlers(deps, options);
  return deps.channels.consumeEmailServiceQueue(handlers, {
    prefetch: options.prefetch,
    maxAttempts: options.maxAttempts,
    baseMs: options.baseMs,
    maxMs: options.maxMs,
    onError: (failure) => {
      const fields = { kind: failure.kind, messageId: failure.messageId, routingKey: failure.routingKey, reason: failure.reason, attempt: failure.attempt };
      if (failure.kind === 'dependency-unavailable') {
        if (failure.dependency === 'sent-store-claim') logger.info(fields, 'event claimed by another replica; waiting');
        else logger.warn({ ...fields, dependency: failure.dependency }, 'a dependency is unavailable; the event waits');
      } else if (failure.kind === 'transient') logger.warn(fields, 'handling an event failed; retrying');
      else if (failure.kind === 'dead-letter-failed') logger.error(fields, 'dead-lettering an event failed; the broker will redeliver it');
      else logger.error(fields, 'event dead-lettered');
      options.onError?.(failure);
    },
  });
}

/** The generated payload types are interfaces; the renderer takes the common shape with a plain `data` record. */
function asMailPayload(payload: { user_id: number; date: string; message: string; data: object }): EventMailPayload {
  return { user_id: payload.user_id, date: payload.date, message: payload.message, data: { ...payload.data } };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
