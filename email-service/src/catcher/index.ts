export { createMailCatcher, type MailCatcher, type MailCatcherOptions, type MailCatcherPorts } from './mail-catcher.ts';
export type { CaughtMessage, CaughtMessageSummary } from './caught-message.ts';
export type { CatcherTlsOptions } from './catcher-smtp.ts';
export { createCatcherApp } from './catcher-http.ts';
export { MessageInbox } from './message-inbox.ts';
