import { booleanFromEnv, brokerQueueFields, checkJwtSecret, checkTlsPair, jwtFields, checkUrlPasswords, listFromEnv, parseConfig, portFromEnv, serviceFields, z } from '@bank/platform/config';
import { messageIdDomain } from './mail/message-id.ts';
import { parseSmtpUrl } from './mail/smtp-url.ts';
import { checkSentStoreUrl } from './sent-store/create-sent-store.ts';
import { InvalidSentStoreUrlError } from './sent-store/invalid-sent-store-url-error.ts';

/** Recipients used when EMAIL_RECEIVERS is not set — in development only. */
export const DEVELOPMENT_RECEIVERS: readonly string[] = Object.freeze(['test@example.com']);

const positiveInt = z.coerce.number().int().min(1);

/**
 * Every environment variable email-service reads (see .env.example). SMTP_URL replaces the seed's
 * `email_host` / `email_port` / `email_user` / `email_app_password`.
 */
export const emailConfigSchema = z
  .object({
    ...serviceFields(8001),
    /** The admin API (`/admin/dead-letters`) verifies bank-issued tokens: the same secret, issuer and audience as bank-service. */
    ...jwtFields,

    AMQP_URI: z.string().min(1).default('amqp://guest:guest@localhost:5672/'),
    ...brokerQueueFields,
    QUEUE_NAME: z.string().min(1).default('email-service'),
    EXCHANGE_NAME: z.string().min(1).default('topic_exchange'),
    PREFETCH: positiveInt.max(1000).default(10),

    SMTP_URL: z.string().min(1).default('smtp://127.0.0.1:1025'),
    SMTP_CA_FILE: z.string().optional(),
    SMTP_TIMEOUT_MS: positiveInt.default(10_000),
    EMAIL_FROM: z.string().min(1).default('bank@example.com'),
    /** Raw list; loadEmailConfig fills the development default. */
    EMAIL_RECEIVERS: listFromEnv.optional(),
    EMAIL_SUBJECT: z.string().min(1).default('Message from Bank service'),
    /** The domain of every mail's Message-ID `<message_id@domain>`; default: the domain of EMAIL_FROM. */
    EMAIL_MESSAGE_ID_DOMAIN: z.string().min(1).optional(),

    SENT_STORE_URL: z.string().min(1).default('sqlite:./data/email.sqlite'),
    SEND_MAX_ATTEMPTS: positiveInt.max(100).default(12),
    SEND_RETRY_BASE_MS: positiveInt.default(500),
    SEND_RETRY_MAX_MS: positiveInt.default(30_000),
    /** How long a replica's claim on a message holds; then another replica may send it (the claimer died). */
    SEND_CLAIM_LEASE_MS: positiveInt.default(60_000),

    /** Run the embedded mail catcher inside this process (catcher-main.ts runs it standalone). */
    START_MAIL_CATCHER: booleanFromEnv.default(false),
    CATCHER_SMTP_PORT: portFromEnv.default(1025),
    CATCHER_HTTP_PORT: portFromEnv.default(8025),
    CATCHER_HOST: z.string().min(1).default('127.0.0.1'),
  })
  .superRefine((cfg, ctx) => {
    const receivers = cfg.EMAIL_RECEIVERS ?? [];
    if (receivers.length === 0 && cfg.APP_ENV !== 'development') {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_RECEIVERS'], message: 'must name at least one recipient (comma-separated) outside development' });
    }
    for (const address of receivers) {
      if (!z.email().safeParse(address).success) {
        ctx.addIssue({ code: 'custom', path: ['EMAIL_RECEIVERS'], message: `"${address}" is not an e-mail address` });
      }
    }
    try {
      parseSmtpUrl(cfg.SMTP_URL);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: err instanceof Error ? err.message : String(err) });
    }
    try {
      messageIdDomain(cfg.EMAIL_FROM, cfg.EMAIL_MESSAGE_ID_DOMAIN);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['EMAIL_MESSAGE_ID_DOMAIN'], message: err instanceof Error ? err.message : String(err) });
    }
    try {
      checkSentStoreUrl(cfg.SENT_STORE_URL);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['SENT_STORE_URL'], message: err instanceof InvalidSentStoreUrlError ? err.detail : String(err) });
    }
    if (cfg.SEND_CLAIM_LEASE_MS < 3 * cfg.SMTP_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['SEND_CLAIM_LEASE_MS'],
        message: `must be at least 3 × SMTP_TIMEOUT_MS (${3 * cfg.SMTP_TIMEOUT_MS}): connecting, the greeting and an idle socket may each take that long, and a live replica's send must not be taken over`,
      });
    }
    checkJwtSecret(cfg, ctx);
    checkUrlPasswords(cfg, ['AMQP_URI', 'SMTP_URL', 'SENT_STORE_URL'], ctx);
    checkTlsPair(cfg, ctx);
    if (cfg.SEND_RETRY_MAX_MS < cfg.SEND_RETRY_BASE_MS) {
      ctx.addIssue({ code: 'custom', path: ['SEND_RETRY_MAX_MS'], message: 'must not be smaller than SEND_RETRY_BASE_MS' });
    }
  });

type ParsedEmailConfig = z.infer<typeof emailConfigSchema>;

export type EmailConfig = Omit<ParsedEmailConfig, 'EMAIL_RECEIVERS' | 'EMAIL_MESSAGE_ID_DOMAIN'> & {
  /** Never empty. */
  EMAIL_RECEIVERS: string[];
  /** Resolved: the setting, else the domain of EMAIL_FROM (lower-cased). */
  EMAIL_MESSAGE_ID_DOMAIN: string;
};

/** Validate the environment (every problem reported at once, as ConfigError). */
export function loadEmailConfig(env: Record<string, string | undefined>): EmailConfig {
  const parsed = parseConfig(emailConfigSchema, env);
  const receivers = parsed.EMAIL_RECEIVERS && parsed.EMAIL_RECEIVERS.length > 0 ? parsed.EMAIL_RECEIVERS : [...DEVELOPMENT_RECEIVERS];
  return { ...parsed, EMAIL_RECEIVERS: receivers, EMAIL_MESSAGE_ID_DOMAIN: messageIdDomain(parsed.EMAIL_FROM, parsed.EMAIL_MESSAGE_ID_DOMAIN) };
}
