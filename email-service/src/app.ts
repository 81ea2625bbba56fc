import { randomUUID } from 'node:crypto';
import os from 'node:os';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { buildTopology, createEventChannels, deadLetterQueueName, type EventNames } from '@bank/events';
import { emailApiSpecPath, mountEmailApi } from '@bank/email-api';
import { createJwtKey, type UserAccessStore } from '@bank/platform/auth';
import { consumerLifecycle, ownedTopology, type ConsumeFailure, type EventBus } from '@bank/platform/events';
import { silentLogger, type Logger } from '@bank/platform/logging';
import { mountDocs } from '@bank/platform-http/docs';
import { createServiceMetrics, instrumentBus, mountTelemetry, type MetricsAccess, type ServiceMetrics } from '@bank/platform/telemetry';
import type { EmailConfig } from './config.ts';
import { startEventMailConsumer } from './consumer/event-mail-consumer.ts';
import { createAuthenticator } from './http/authenticate.ts';
import { createEmailHandlers, type CheckStatus } from './http/email-handlers.ts';
import { createSmtpProbe } from './http/smtp-probe.ts';
import type { MailTransport } from './mail/index.ts';
import type { SentStore } from './sent-store/index.ts';
import { countedTransport } from './telemetry/counted-transport.ts';

/** The parts of EmailConfig the service uses (main passes the whole config). */
export type EmailServiceConfig = Pick<
  EmailConfig,
  | 'QUEUE_NAME'
  | 'EXCHANGE_NAME'
  | 'EMAIL_RECEIVERS'
  | 'EMAIL_SUBJECT'
  | 'PREFETCH'
  | 'SEND_MAX_ATTEMPTS'
  | 'SEND_RETRY_BASE_MS'
  | 'SEND_RETRY_MAX_MS'
  | 'SEND_CLAIM_LEASE_MS'
  | 'EMAIL_MESSAGE_ID_DOMAIN'
  | 'JWT_SECRET_KEY'
  | 'JWT_ISSUER'
  | 'JWT_AUDIENCE'
>;

export interface EmailServiceDeps {
  bus: EventBus;
  transport: MailTransport;
  sentStore: SentStore;
  /** The record of revoked tokens (`user.access.changed`), checked on every user request. */
  accessStore: UserAccessStore;
  logger?: Logger;
  now?: () => Date;
  /** This replica's name in the sent store's claims (default: host name, process id and a random suffix). */
  replicaId?: string;
  /** The service's Prometheus metrics (default: a new set). */
  metrics?: ServiceMetrics;
}

export interface EmailServiceOptions {
  /** How long a `transport.verify()` result is reused by `GET /ready` (default 5000 ms). */
  smtpCheckTtlMs?: number;
  /** Called for every consume failure (transient ones and dead-letters), after logging. */
  onConsumeError?: (failure: ConsumeFailure) => void;
  /** Who may read `GET /metrics` (default: open; the wiring applies METRICS_TOKEN / METRICS_PUBLIC). */
  metricsAccess?: MetricsAccess;
  /** Validate every response against the spec (on in tests). */
  validateResponses?: boolean;
}

export interface EmailService {
  app: Express;
  metrics: ServiceMetrics;
  /** Declare the topology and attach the consumer of the `email-service` queue. */
  start(): Promise<void>;
  /** Cancel the consumer: no new messages, the messages in hand are finished (or requeued during a backoff). */
  stop(): Promise<void>;
}

/** The email-service factory: config + dependencies → the HTTP app and its consumer. */
export function createEmailService(config: EmailServiceConfig, deps: EmailServiceDeps, options: EmailServiceOptions = {}): EmailService {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? createServiceMetrics('email-service');
  const bus = instrumentBus(deps.bus, metrics);
  const transport = countedTransport(deps.transport, metrics);
  const names: Partial<EventNames> = { exchange: config.EXCHANGE_NAME, emailServiceQueue: config.QUEUE_NAME };
  const channels = createEventChannels(bus, names);
  const deadLetterAdmin = deps.bus.deadLetters?.();
  if (!deadLetterAdmin) throw new Error('email-service needs a bus with a dead-letter admin (AmqpBus or InMemoryBus)');
  const replicaId = deps.replicaId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const smtp = createSmtpProbe(deps.transport, {
    // a mail waiting for SMTP tries again within SEND_RETRY_MAX_MS: an older failure report is stale
    reportTtlMs: Math.max(2 * config.SEND_RETRY_MAX_MS, 10_000),
    ...(options.smtpCheckTtlMs !== undefined ? { ttlMs: options.smtpCheckTtlMs } : {}),
  });

  const readiness = async (): Promise<{ checks: Record<string, CheckStatus>; reasons?: Record<string, string> }> => {
    const [smtpStatus, store] = await Promise.all([
      smtp.check(),
      Promise.all([deps.sentStore.ping(), deps.accessStore.ping()]).then(
        () => 'up' as const,
        () => 'down' as const,
      ),
    ]);
    const checks: Record<string, CheckStatus> = {
      smtp: smtpStatus,
      broker: bus.isReady() ? 'up' : 'down',
      consumer: consumer.attached() ? 'up' : 'down',
      store,
    };
    const brokerProblems = deps.bus.problems();
    return brokerProblems.length > 0 ? { checks, reasons: { broker: brokerProblems.join('; ') } } : { checks };
  };

  const app = express();
  app.disable('x-powered-by');
  mountTelemetry(app, { metrics, logger, ...(options.metricsAccess ? { access: options.metricsAccess } : {}) });
  app.use(helmet());
  mountDocs(app, { specPath: emailApiSpecPath, title: 'Email service API' });
  mountEmailApi(
    app,
    createEmailHandlers({
      readiness,
      deadLetters: { admin: deadLetterAdmin, ref: { queue: config.QUEUE_NAME, deadLetterQueue: deadLetterQueueName(config.QUEUE_NAME) } },
    }),
    {
      authenticate: createAuthenticator(createJwtKey(config.JWT_SECRET_KEY), { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE }, deps.accessStore),
      validateResponses: options.validateResponses ?? false,
      logger,
    },
  );
  app.use((_req, res) => {
    res.status(404).json({ msg: 'Not found' });
  });

  const consumer = consumerLifecycle(
    async () => {
      // only what email-service owns: its queue, its DLQ and their bindings (replies go through the default exchange)
      await bus.declare(ownedTopology(buildTopology(names), { queues: [config.QUEUE_NAME], publishesTo: [] }));
      const subscription = await startEventMailConsumer(
        {
          channels,
          transport,
          sentStore: deps.sentStore,
          accessStore: deps.accessStore,
          logger,
          onSmtpOutcome: (outcome) => smtp.report(outcome),
          ...(deps.now ? { now: deps.now } : {}),
        },
        {
          receivers: config.EMAIL_RECEIVERS,
          subjectPrefix: config.EMAIL_SUBJECT,
          messageIdDomain: config.EMAIL_MESSAGE_ID_DOMAIN,
          replicaId,
          claimLeaseMs: config.SEND_CLAIM_LEASE_MS,
          prefetch: config.PREFETCH,
          maxAttempts: config.SEND_MAX_ATTEMPTS,
          baseMs: config.SEND_RETRY_BASE_MS,
          maxMs: config.SEND_RETRY_MAX_MS,
          ...(options.onConsumeError ? { onError: options.onConsumeError } : {}),
        },
      );
      logger.info({ queue: config.QUEUE_NAME, exchange: config.EXCHANGE_NAME, prefetch: config.PREFETCH, replicaId }, 'email consumer attached');
      return subscription;
    },
    () => logger.info('email consumer stopped'),
  );

  return {
    app,
    metrics,
    start: () => consumer.start(),
    stop: () => consumer.stop(),
  };
}
