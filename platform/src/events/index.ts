export * from './event-bus.ts';
export * from './topology.ts';
export * from './topic-match.ts';
export * from './in-memory-bus.ts';
export * from './amqp-bus.ts';
export * from './typed-messages.ts';
export * from './consumer-lifecycle.ts';
export * from './dead-letters.ts';
