/**
 * Fault: poison messages (invalid JSON, bodies that break the event schema) published straight to
 * the exchange between good events. Each consumer dead-letters them at once into its DLQ with the
 * reason in `x-death-reason`, and keeps storing and mailing the good ones.
 */
import assert from 'node:assert/strict';
import { waitFor } from '@bank/testkit';
import { startSystem, type SystemUnderTest } from '../../e2e/service-processes.ts';
import { describeStatuses, startAccountStream } from '../account-stream.ts';
import { drainQueue, publishRaw, queueDepth, type RawPublish } from '../broker-queues.ts';
import { MailReader, settleAndAudit } from '../delivery-audit.ts';
import { createFaultWorld, type FaultWorld } from '../fault-world.ts';

const EXCHANGE = 'topic_exchange';
const GOOD = 200;
const NOW = '2026-01-16T17:10:26Z';

/** Poison for both consumers (account.created) and for email-service only (other *.created keys). */
function poisonBatch(tag: string): { both: RawPublish[]; emailOnly: RawPublish[] } {
  return {
    both: [
      { routingKey: 'account.created', body: '{"user_id": 1, "date": "' + tag },
      { routingKey: 'account.created', body: JSON.stringify({ user_id: 'nobody', date: 'yesterday', message: 7, data: {} }) },
      // looks like an account (an id a real one never has), but client_id is no integer
      {
        routingKey: 'account.created',
        body: JSON.stringify({ user_id: 1, date: NOW, message: tag, data: { id: 999_999, client_id: 'x', bank_id: 1, balance: 0 } }),
      },
    ],
    emailOnly: [
      { routingKey: 'card.created', body: 'not json at all ' + tag },
      { routingKey: 'client.created', body: JSON.stringify({ user_id: 1, date: NOW, message: tag, data: { id: 'one' } }) },
    ],
  };
}

describe('fault: poison messages among good events', function () {
  this.timeout(180_000);
  let system: SystemUnderTest | undefined;
  let world: FaultWorld;

  before(async () => {
    system = await startSystem({ prefix: 'faults_poison' });
    world = await createFaultWorld(system, { owners: 2 });
  });

  after(async () => {
    await system?.stop();
  });

  it('dead-letters poison with its reason into both DLQs while good events are stored and mailed', async () => {
    const sys = system!;
    const started = Date.now();
    const first = poisonBatch('first');
    const second = poisonBatch('second');
    const firstIds = await publishRaw(sys.amqpUrl, EXCHANGE, [...first.both, ...first.emailOnly]);

    const stream = startAccountStream({ owners: world.owners, bankId: world.bankId, total: GOOD, concurrency: 5 });
    await stream.answered(GOOD / 2);
    const secondIds = await publishRaw(sys.amqpUrl, EXCHANGE, [...second.both, ...second.emailOnly]);
    const result = await stream.done;
    assert.equal(result.created.length, GOOD, `statuses ${describeStatuses(result.statuses)}; ${result.failures.join('; ')}`);

    const bothCount = first.both.length;
    const logPoison = [...firstIds.slice(0, bothCount), ...secondIds.slice(0, bothCount)];
    const emailPoison = [...firstIds, ...secondIds];

    const audit = await settleAndAudit(result.created, {
      logUrl: sys.log.url,
      adminToken: world.adminToken,
      routingKey: 'account.created',
      mails: new MailReader(sys.catcherUrl, /account created/i, /^Account (\d+) was created/m),
      timeoutMs: 60_000,
    });

    await waitFor(
      async () => [await queueDepth(sys.amqpUrl, 'log-service.dlq'), await queueDepth(sys.amqpUrl, 'email-service.dlq')],
      { what: 'the poison messages in both DLQs', until: ([log, email]) => log === logPoison.length && email === emailPoison.length, timeoutMs: 30_000, intervalMs: 200 },
    );
    const logDead = await drainQueue(sys.amqpUrl, 'log-service.dlq');
    const emailDead = await drainQueue(sys.amqpUrl, 'email-service.dlq');

    console.log(
      `      ${audit.line} (${emailPoison.length} poison messages: ${logDead.length} in log-service.dlq, ${emailDead.length} in email-service.dlq; ` +
        `${Math.round((Date.now() - started) / 1000)} s)`,
    );
    for (const [queue, dead, expected] of [
      ['log-service', logDead, logPoison],
      ['email-service', emailDead, emailPoison],
    ] as const) {
      assert.deepEqual(dead.map((m) => m.messageId).sort(), [...expected].sort(), `${queue}.dlq holds other messages than the poison`);
      for (const m of dead) {
        const reason = m.headers['x-death-reason'];
        assert.equal(typeof reason, 'string', `${queue}.dlq message ${m.messageId} has no x-death-reason`);
        assert.ok((reason as string).length > 0);
        assert.equal(m.headers['x-original-queue'], queue);
      }
      // the invalid JSON is named as such; the schema failures name what is wrong
      const invalidJson = dead.find((m) => m.body.startsWith('{"user_id": 1, "date": "first'));
      assert.match(String(invalidJson?.headers['x-death-reason']), /json/i);
      const badShape = dead.find((m) => m.body.includes('"client_id":"x"'));
      assert.match(String(badShape?.headers['x-death-reason']), /client_id/);
    }
    assert.deepEqual(audit.unexpected, [], 'a poison message was stored or mailed');
    assert.deepEqual(audit.mismatched, []);
    assert.deepEqual(
      { sent: audit.sent, stored: audit.stored, mailed: audit.mailed, duplicates: audit.duplicates, lost: audit.lost },
      { sent: GOOD, stored: GOOD, mailed: GOOD, duplicates: 0, lost: 0 },
    );
  });
});
