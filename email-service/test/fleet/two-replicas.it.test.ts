import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { accountCreated, newId } from '../support/email-fixtures.ts';
import { useMailCatcher } from '../support/mail-catcher-hooks.ts';
import { queueDepth, startFleet, tally, type Fleet } from './email-fleet.ts';
import { waitFor } from '@bank/testkit';

describe('two email-service replicas on one RabbitMQ vhost and one shared MariaDB sent store', function () {
  this.timeout(120_000);
  const inbox = useMailCatcher({ maxMessages: 5_000 });
  let fleet: Fleet | undefined;

  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
  });

  it('mails every account.created of a batch of 200 published twice exactly once: 200 mails, each Message-ID once', async () => {
    fleet = await startFleet('email-fleet', 2, inbox.smtpPort, { PREFETCH: '10' });
    const { vhost, db, replicas, bank } = fleet;
    const ids = Array.from({ length: 200 }, () => newId());
    // both copies of each event back to back: with round-robin delivery they mostly reach different replicas at once
    for (let i = 0; i < ids.length; i += 20) {
      await Promise.all(
        ids.slice(i, i + 20).flatMap((messageId, j) => [
          bank.publishAccountCreated(accountCreated(i + j + 1), { messageId }),
          bank.publishAccountCreated(accountCreated(i + j + 1), { messageId }),
        ]),
      );
    }

    const settled = () => replicas.reduce((n, r) => n + r.log.count('event mailed') + r.log.count('event already mailed; not mailing again'), 0);
    await waitFor(() => settled() === 400, { what: 'all 400 deliveries handled', timeoutMs: 90_000, intervalMs: 100 });
    await waitFor(async () => (await queueDepth(vhost.url, 'email-service')) === 0, { what: 'the queue to be empty', timeoutMs: 10_000, intervalMs: 100 });

    const mails = inbox.catcher.messages();
    assert.equal(mails.length, 200, '200 mails at the catcher');
    const byMessageId = tally(mails.map((m) => m.messageId));
    assert.equal(byMessageId.size, 200, 'each Message-ID once');
    assert.deepEqual([...byMessageId.values()].filter((n) => n !== 1), []);
    assert.deepEqual(new Set(byMessageId.keys()), new Set(ids.map((id) => `<${id}@bank.test>`)), 'Message-ID = <message_id@From domain>');

    const [mailedA, mailedB] = replicas.map((r) => r.log.count('event mailed'));
    assert.equal((mailedA ?? 0) + (mailedB ?? 0), 200);
    assert.ok((mailedA ?? 0) > 0 && (mailedB ?? 0) > 0, `both replicas mailed (${mailedA} + ${mailedB})`);
    assert.equal(replicas.reduce((n, r) => n + r.log.count('event already mailed; not mailing again'), 0), 200, 'every second copy was settled without a mail');
    assert.deepEqual(replicas.flatMap((r) => r.log.errors), []);
    assert.equal(await queueDepth(vhost.url, 'email-service.dlq'), 0, 'nothing dead-lettered');

    const connection = await mysql.createConnection(db.url);
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>(
        'SELECT COUNT(*) AS n, COUNT(sent_at) AS sent, COUNT(claimed_by) AS claimed, COUNT(DISTINCT smtp_message_id) AS ids FROM sent_messages',
      );
      assert.deepEqual({ ...rows[0] }, { n: 200, sent: 200, claimed: 0, ids: 200 }, 'the shared record: 200 sent, no claim left');
    } finally {
      await connection.end();
    }
  });
});
