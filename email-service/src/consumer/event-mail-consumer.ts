import {
  InvalidMessageError,
  PermanentMessageError,
  type BankCreated,
  type ConsumeEmailServiceQueueHandlers,
  type EventChannels,
  type MessageMeta,
  type Subscription,
} from '@bank/events';
import type { ConsumeFailure } from '@bank/platform/events';
import type { Logger } from '@bank/platform/logging';
import type { EventMailPayload, MailTransport } from '../mail/index.ts';
import type { SentStore } from '../sent-store/index.ts';
import { buildEventMail } from './event-mail.ts';
import { KeyedLock } from './keyed-lock.ts';
import { MailSendFailedError } from './mail-send-failed-error.ts';
import { replyMessageId } from './reply-message-id.ts';

export interface EventMailSettings {
  /** EMAIL_RECEIVERS (never empty). */
  receivers: readonly string[];
  /** EMAIL_SUBJECT: the subject prefix. */
  subjectPrefix: string;
}

export interface EventMailDeps {
  channels: EventChannels;
  transport: MailTransport;
  sentStore: SentStore;
  logger: Logger;
  now?: () => Date;
}

export interface EventMailConsumerOptions extends EventMailSettings {
  prefetch: number;
  /** In-process attempts (SEND_MAX_ATTEMPTS) before the message is dead-lettered. */
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
 * Every `*.created` event is mailed at most once per `message_id`: a message whose id the sent
 * store knows is not mailed again; otherwise it is rendered, sent to the receivers, and recorded
 * (`markSent`) only after the SMTP server accepted it. An SMTP failure throws MailSendFailedError,
 * which the platform retries with backoff while the message stays unacked, then dead-letters.
 * Copies of one message in flight at once are handled one after the other (KeyedLock).
 *
 * `bank.created` is then answered on its `reply_to` queue with `{status: 'sent', …}` — only once
 * the mail was accepted (now or on an earlier delivery) and only if no reply was recorded yet;
 * a redelivery after a crash between mail and reply publishes the reply only. A `bank.created`
 * without `reply_to` or `correlation_id` is still mailed (the mail is the event's main effect),
 * then dead-lettered with the reason, because nobody can be answered.
 */
export function createEventMailHandlers(deps: EventMailDeps, settings: EventMailSettings): ConsumeEmailServiceQueueHandlers {
  const { channels, transport, sentStore, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const lock = new KeyedLock();
  /** Mails the server accepted whose record failed: never sent again by this process. */
  const unrecorded = new Map<string, { routingKey: string; sentAt: Date; smtpMessageId: string }>();

  async function record(messageId: string, info: { routingKey: string; sentAt: Date; smtpMessageId: string }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sentStore.markSent(messageId, info);
        unrecorded.delete(messageId);
        return;
      } catch (err) {
        if (attempt >= RECORD_ATTEMPTS) {
          unrecorded.set(messageId, info);
          throw new Error(`the mail for ${messageId} was sent but could not be recorded: ${errorMessage(err)}`, { cause: err });
        }
      }
    }
  }

  /** Mail the event unless it was mailed before; resolves with when the mail was accepted. */
  async function mailOnce(payload: EventMailPayload, meta: MessageMeta): Promise<Date> {
    const pending = unrecorded.get(meta.messageId);
    if (pending) {
      await record(meta.messageId, pending);
      return pending.sentAt;
    }
    const existing = await sentStore.get(meta.messageId);
    if (existing?.sentAt) {
      logger.info({ messageId: meta.messageId, type: meta.type, redelivered: meta.redelivered }, 'event already mailed; not mailing again');
      return new Date(existing.sentAt);
    }
    const mail = buildEventMail(meta.type, payload, meta.messageId, settings);
    let smtpMessageId: string;
    try {
      smtpMessageId = (await transport.send(mail)).messageId;
    } catch (err) {
      throw new MailSendFailedError(meta.messageId, meta.type, err);
    }
    const sentAt = now();
    await record(meta.messageId, { routingKey: meta.type, sentAt, smtpMessageId });
    logger.info({ messageId: meta.messageId, type: meta.type, smtpMessageId, attempt: meta.attempt }, 'event mailed');
    return sentAt;
  }

  async function reply(meta: MessageMeta & { replyTo: string; correlationId: string }, sentAt: Date): Promise<void> {
    if (await sentStore.wasReplied(meta.messageId)) {
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
    await sentStore.markReplied(meta.messageId, now());
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
  };
}

/** Attach the handlers to the `email-service` queue (prefetch, bounded retries with backoff). */
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
      if (failure.kind === 'transient') logger.warn(fields, 'handling an event failed; retrying');
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
