export {
  createMailTransport,
  MailNotAcceptedError,
  type MailTransport,
  type MailTransportOptions,
  type OutgoingMail,
  type SendResult,
} from './mail-transport.ts';
export { classifySmtpFailure, smtpFailure, SmtpRejectedError, SmtpUnavailableError, type SmtpFailureKind } from './smtp-failure.ts';
export { eventMailMessageId, messageIdDomain, InvalidMessageIdDomainError } from './message-id.ts';
export { parseSmtpUrl, InvalidSmtpUrlError, type SmtpEndpoint } from './smtp-url.ts';
export {
  renderEventMail,
  humanizeKey,
  humanizeRoutingKey,
  DEFAULT_SUBJECT_PREFIX,
  type EventMailPayload,
  type RenderEventMailOptions,
  type RenderedMail,
} from './render-event-mail.ts';
export { escapeHtml } from './html-escape.ts';
