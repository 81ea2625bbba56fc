/**
 * Counts what became of a set of events: log documents in log-service (by `data.id`) and mails
 * in the catcher (by the entity id in the mail text), then the one-line summary every fault test
 * prints: `sent N, stored N, mailed N, duplicates 0, lost 0`.
 */
import { createLogApiClient } from '@contract-bank/client/log-api';

export interface StoredEvent {
  /** `data.id` of the log document. */
  entityId: number;
  messageId: string | undefined;
}

/** Every log document of `routingKey` (paged through 100 at a time). */
export async function readLogs(logUrl: string, adminToken: string, routingKey: string): Promise<StoredEvent[]> {
  const logs = createLogApiClient({ baseUrl: logUrl, token: adminToken });
  const events: StoredEvent[] = [];
  for (let page = 1; ; page++) {
    const res = await logs.GET('/logs', { params: { query: { routing_key: routingKey, page_size: 100, page_number: page } } });
    if (res.response.status !== 200 || !res.data) throw new Error(`GET /logs answered ${res.response.status}: ${JSON.stringify(res.error)}`);
    for (const log of res.data.results) {
      events.push({ entityId: Number(log.data.id), messageId: log.message_id });
    }
    if (page >= res.data.pages) return events;
  }
}

export interface MailedEvent {
  /** The catcher's id of the mail. */
  mailId: string;
  subject: string;
  /** The entity id the mail text names (`Account 12 was created …`), NaN when none. */
  entityId: number;
  /** The event message id of the mail's reference line. */
  messageId: string | undefined;
}

interface CaughtMessageBody {
  id: string;
  subject: string;
  text: string;
}

/**
 * Reads the catcher's mails with their text, each mail fetched once (catcher ids are stable within
 * one catcher process: make a new reader after the catcher restarted).
 */
export class MailReader {
  private readonly seen = new Map<string, MailedEvent>();

  constructor(
    private readonly catcherUrl: string,
    /** Which mails to read, by subject. */
    private readonly subject: RegExp,
    /** Picks the entity id out of the text, e.g. /^Account (\d+) was created/m. */
    private readonly entityPattern: RegExp,
  ) {}

  async read(): Promise<MailedEvent[]> {
    const res = await fetch(`${this.catcherUrl}/api/messages`);
    if (!res.ok) throw new Error(`mail catcher answered ${res.status}`);
    const summaries = (await res.json()) as { id: string; subject: string }[];
    const missing = summaries.filter((m) => this.subject.test(m.subject) && !this.seen.has(m.id));
    const queue = [...missing];
    const fetchOne = async () => {
      for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
        const detail = await fetch(`${this.catcherUrl}/api/messages/${encodeURIComponent(m.id)}`);
        if (!detail.ok) throw new Error(`mail catcher answered ${detail.status} for message ${m.id}`);
        const body = (await detail.json()) as CaughtMessageBody;
        this.seen.set(m.id, {
          mailId: m.id,
          subject: body.subject,
          entityId: Number(this.entityPattern.exec(body.text)?.[1] ?? NaN),
          messageId: /^Event reference: (\S+)$/m.exec(body.text)?.[1],
        });
      }
    };
    await Promise.all(Array.from({ length: 16 }, fetchOne));
    return [...this.seen.values()];
  }
}

export interface DeliveryAudit {
  sent: number;
  /** Sent ids with at least one log document. */
  stored: number;
  /** Sent ids with at least one mail. */
  mailed: number;
  /** Extra copies: log documents or mails beyond the first per id. */
  duplicates: number;
  /** Sent ids with no log document plus sent ids with no mail. */
  lost: number;
  /** Ids stored or mailed that were never answered 201 (should be none). */
  unexpected: number[];
  /** Ids whose mail names another event message id than its log document. */
  mismatched: number[];
  line: string;
}

function countBy(ids: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Compare the ids answered 201 with what was stored and mailed. */
export function auditDelivery(sentIds: readonly number[], stored: readonly StoredEvent[], mailed: readonly MailedEvent[]): DeliveryAudit {
  const sent = new Set(sentIds);
  const storedCounts = countBy(stored.map((s) => s.entityId));
  const mailedCounts = countBy(mailed.map((m) => m.entityId));
  let duplicates = 0;
  for (const counts of [storedCounts, mailedCounts]) {
    for (const n of counts.values()) duplicates += n - 1;
  }
  const storedOk = [...sent].filter((id) => storedCounts.has(id)).length;
  const mailedOk = [...sent].filter((id) => mailedCounts.has(id)).length;
  const unexpected = [...new Set([...storedCounts.keys(), ...mailedCounts.keys()])].filter((id) => !sent.has(id)).sort((a, b) => a - b);
  const messageIdOf = new Map(stored.map((s) => [s.entityId, s.messageId]));
  const mismatched = mailed.filter((m) => messageIdOf.has(m.entityId) && messageIdOf.get(m.entityId) !== m.messageId).map((m) => m.entityId);
  const lost = sent.size - storedOk + (sent.size - mailedOk);
  return {
    sent: sent.size,
    stored: storedOk,
    mailed: mailedOk,
    duplicates,
    lost,
    unexpected,
    mismatched,
    line: `sent ${sent.size}, stored ${storedOk}, mailed ${mailedOk}, duplicates ${duplicates}, lost ${lost}`,
  };
}

export interface SettleOptions {
  logUrl: string;
  adminToken: string;
  routingKey: string;
  mails: MailReader;
  /** Give up waiting for missing events after this long (ms). */
  timeoutMs: number;
  /** After everything arrived, wait this long and count again, so late duplicates show (ms). Default 2000. */
  quietMs?: number;
}

/**
 * Poll until every sent id is stored and mailed (or the timeout passes), then wait `quietMs` and
 * audit once more: a redelivery that stores or mails twice shows up as a duplicate.
 */
export async function settleAndAudit(sentIds: readonly number[], options: SettleOptions): Promise<DeliveryAudit> {
  const deadline = Date.now() + options.timeoutMs;
  const readBoth = async () => auditDelivery(sentIds, await readLogs(options.logUrl, options.adminToken, options.routingKey), await options.mails.read());
  let audit = await readBoth();
  while ((audit.stored < audit.sent || audit.mailed < audit.sent) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    audit = await readBoth();
  }
  await new Promise((r) => setTimeout(r, options.quietMs ?? 2000));
  return readBoth();
}
