/**
 * Direct broker access for fault tests (amqplib into the system's vhost): publish raw messages to
 * the exchange as a misbehaving producer would, and read what sits in a queue (the DLQs).
 */
import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel } from 'amqplib';

export interface RawPublish {
  routingKey: string;
  /** Sent as is (may be invalid JSON). */
  body: string;
  messageId?: string;
  contentType?: string;
}

async function withConnection<T>(url: string, work: (connection: ChannelModel) => Promise<T>): Promise<T> {
  const connection = await connect(url);
  connection.on('error', () => undefined);
  try {
    return await work(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Publish each message persistent to `exchange` with publisher confirms; resolves with the message ids used. */
export async function publishRaw(url: string, exchange: string, messages: readonly RawPublish[]): Promise<string[]> {
  return withConnection(url, async (connection) => {
    const channel = await connection.createConfirmChannel();
    const ids: string[] = [];
    for (const m of messages) {
      const messageId = m.messageId ?? randomUUID();
      ids.push(messageId);
      channel.publish(exchange, m.routingKey, Buffer.from(m.body, 'utf8'), {
        persistent: true,
        messageId,
        type: m.routingKey,
        contentType: m.contentType ?? 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
      });
    }
    await channel.waitForConfirms();
    await channel.close();
    return ids;
  });
}

export interface QueuedMessage {
  messageId: string | undefined;
  body: string;
  headers: Record<string, unknown>;
}

/** The number of ready messages in `queue`. */
export async function queueDepth(url: string, queue: string): Promise<number> {
  return withConnection(url, async (connection) => {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.checkQueue(queue);
    await channel.close();
    return messageCount;
  });
}

/** Take every ready message out of `queue` (acknowledged: they are gone afterwards). */
export async function drainQueue(url: string, queue: string): Promise<QueuedMessage[]> {
  return withConnection(url, async (connection) => {
    const channel = await connection.createChannel();
    const messages: QueuedMessage[] = [];
    for (;;) {
      const message = await channel.get(queue, { noAck: true });
      if (message === false) break;
      const messageId: unknown = message.properties.messageId;
      messages.push({
        messageId: typeof messageId === 'string' ? messageId : undefined,
        body: message.content.toString('utf8'),
        headers: { ...(message.properties.headers ?? {}) },
      });
    }
    await channel.close();
    return messages;
  });
}
