import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import type { Logger } from '../logging.ts';
import { BrokerUnavailableError, UnroutableMessageError, type MessageProperties } from './event-bus.ts';

interface PendingPublish {
  returned: boolean;
}

/** How long a graceful close waits for outstanding publisher confirms. */
const CLOSE_CONFIRM_WAIT_MS = 5_000;

/**
 * One confirm channel of one connection. Publishes are persistent and mandatory, and are not
 * serialised: any number of confirms may be outstanding. A publish resolves on the broker's ack,
 * rejects on a nack, on a basic.return (UnroutableMessageError, matched by message id in publish
 * order), and when the channel or connection dies before the confirm (BrokerUnavailableError).
 */
export class ConfirmPublisher {
  private readonly pending = new Map<string, PendingPublish[]>();
  private outstanding = 0;
  private closedByServer: Error | undefined;
  private open = true;
  private readonly idleWaiters = new Set<() => void>();

  private constructor(
    private readonly channel: ConfirmChannel,
    private readonly logger: Logger,
  ) {
    channel.on('return', (message: Message) => this.onReturn(message));
    channel.on('error', (err: Error) => {
      this.closedByServer = err;
      this.logger.warn({ err }, 'publisher channel closed by the broker');
    });
    channel.on('close', () => {
      this.open = false;
    });
  }

  static async open(connection: ChannelModel, logger: Logger): Promise<ConfirmPublisher> {
    const channel = await connection.createConfirmChannel();
    return new ConfirmPublisher(channel, logger);
  }

  isOpen(): boolean {
    return this.open;
  }

  publish(exchange: string, routingKey: string, body: Buffer, properties: MessageProperties): Promise<void> {
    if (!this.open) return Promise.reject(new BrokerUnavailableError('the publisher channel is closed'));
    return new Promise<void>((resolve, reject) => {
      const entry: PendingPublish = { returned: false };
      const id = properties.messageId;
      const list = this.pending.get(id);
      if (list) list.push(entry);
      else this.pending.set(id, [entry]);
      this.outstanding++;
      const settle = (err: unknown): void => {
        this.forget(id, entry);
        if (err) reject(this.publishError(err));
        else if (entry.returned) reject(new UnroutableMessageError(exchange, routingKey));
        else resolve();
      };
      try {
        this.channel.publish(
          exchange,
          routingKey,
          body,
          {
            persistent: true,
            mandatory: true,
            contentType: properties.contentType,
            messageId: properties.messageId,
            type: properties.type,
            timestamp: Math.floor(properties.timestamp.getTime() / 1000),
            correlationId: properties.correlationId,
            replyTo: properties.replyTo,
            headers: properties.headers,
          },
          (err: unknown) => settle(err),
        );
      } catch (err) {
        // amqplib throws synchronously when the channel is already closed (IllegalOperationError)
        this.forget(id, entry);
        reject(err instanceof RangeError ? err : new BrokerUnavailableError(`publish failed: ${errorMessage(err)}`));
      }
    });
  }

  /** Wait (bounded) for outstanding confirms, then close the channel. */
  async close(): Promise<void> {
    if (this.outstanding > 0 && this.open) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, CLOSE_CONFIRM_WAIT_MS);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.idleWaiters.add(done);
      });
    }
    if (!this.open) return;
    try {
      await this.channel.close();
    } catch (err) {
      this.logger.debug({ err }, 'closing the publisher channel failed');
    }
  }

  private onReturn(message: Message): void {
    const id: unknown = message.properties.messageId;
    const entry = typeof id === 'string' ? this.pending.get(id)?.find((e) => !e.returned) : undefined;
    if (entry) entry.returned = true;
    else this.logger.warn({ messageId: id }, 'a returned message matched no pending publish');
  }

  private forget(id: string, entry: PendingPublish): void {
    const list = this.pending.get(id);
    if (list) {
      const index = list.indexOf(entry);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.pending.delete(id);
    }
    this.outstanding--;
    if (this.outstanding === 0) {
      for (const waiter of this.idleWaiters) waiter();
      this.idleWaiters.clear();
    }
  }

  private publishError(err: unknown): Error {
    if (err instanceof Error && err.message === 'message nacked') return new Error('the broker nacked the message (not stored)');
    if (this.closedByServer) return new Error(`publish failed: ${this.closedByServer.message}`, { cause: this.closedByServer });
    return new BrokerUnavailableError(`connection to the broker lost before the publish was confirmed (${errorMessage(err)})`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
