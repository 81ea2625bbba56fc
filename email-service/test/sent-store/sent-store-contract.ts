import assert from 'node:assert/strict';
import type { SentStore } from '../../src/sent-store/index.ts';
import { newId, settle } from '../support/email-fixtures.ts';

/** How a contract run reaches one adapter's storage. */
export interface SentStoreHarness {
  /** A fresh, empty storage for one test, opened (and migrated). */
  open(): Promise<SentStore>;
  /** Another handle on the storage `open` made last, as a second replica would open it. */
  openReplica(): Promise<SentStore>;
}

const claimOf = (owner: string, leaseMs = 60_000) => ({ owner, leaseMs, routingKey: 'account.created' });

/**
 * The behaviour every SentStore adapter must show (SQLite and MariaDB run it; see
 * sent-store.it.test.ts). Each test gets fresh storage; the handles are closed afterwards.
 */
export function sentStoreContract(harness: SentStoreHarness): void {
  const opened: SentStore[] = [];
  const open = async () => {
    const store = await harness.open();
    opened.push(store);
    return store;
  };
  const openReplica = async () => {
    const store = await harness.openReplica();
    opened.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it('records a sent message and reports it as sent but not yet replied', async () => {
    const store = await open();
    assert.equal(await store.hasSent('m-1'), false);
    assert.equal(await store.markSent('m-1', { routingKey: 'bank.created', sentAt: '2025-01-16T17:10:27Z', smtpMessageId: '<a@b>' }), true);
    assert.equal(await store.hasSent('m-1'), true);
    assert.equal(await store.wasReplied('m-1'), false);
    assert.equal(await store.hasSent('m-2'), false);
    assert.deepEqual(await store.get('m-1'), {
      messageId: 'm-1',
      routingKey: 'bank.created',
      sentAt: '2025-01-16T17:10:27.000Z',
      smtpMessageId: '<a@b>',
      repliedAt: null,
      claimedBy: null,
      claimedUntil: null,
    });
    assert.equal(await store.get('m-unknown'), null);
  });

  it('keeps the first record when a message is marked sent twice', async () => {
    const store = await open();
    await store.markSent('m-1', { routingKey: 'account.created', sentAt: new Date('2025-01-01T00:00:00Z'), smtpMessageId: '<first@x>' });
    const again = await store.markSent('m-1', { routingKey: 'account.created', sentAt: new Date(), smtpMessageId: '<second@x>' });
    assert.equal(again, false);
    const record = await store.get('m-1');
    assert.equal(record?.smtpMessageId, '<first@x>');
    assert.equal(record?.sentAt, '2025-01-01T00:00:00.000Z');
  });

  it('records a reply once, keeping the first reply time', async () => {
    const store = await open();
    await store.markSent('m-1', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<a@b>' });
    await store.markReplied('m-1', new Date('2025-01-16T17:10:28Z'));
    await store.markReplied('m-1', new Date('2025-01-16T18:00:00Z'));
    assert.equal(await store.wasReplied('m-1'), true);
    assert.equal((await store.get('m-1'))?.repliedAt, '2025-01-16T17:10:28.000Z');
    assert.equal(await store.wasReplied('m-unknown'), false);
  });

  it('gives a claim to the first replica only; the other sees who holds it and until when', async () => {
    const a = await open();
    const b = await openReplica();
    const id = newId();
    assert.deepEqual(await a.claim(id, claimOf('replica-a')), { status: 'claimed' });
    const seen = await b.claim(id, claimOf('replica-b'));
    assert.equal(seen.status, 'claimed-elsewhere');
    assert.equal(seen.status === 'claimed-elsewhere' && seen.owner, 'replica-a');
    const until = seen.status === 'claimed-elsewhere' ? Date.parse(seen.until) : NaN;
    assert.ok(until > Date.now() + 50_000 && until < Date.now() + 70_000, `the claim holds for the lease (until ${String(until)})`);
    assert.deepEqual(await a.claim(id, claimOf('replica-a')), { status: 'claimed' }, 'the holder may claim again (a retry)');
    const record = await b.get(id);
    assert.equal(record?.claimedBy, 'replica-a');
    assert.equal(record?.sentAt, null);
    assert.equal(await b.hasSent(id), false);
  });

  it('lets exactly one of many replicas claiming the same message at once win', async () => {
    const replicas = [await open(), await openReplica(), await openReplica()];
    for (let round = 0; round < 10; round++) {
      const id = newId();
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (replicas[i % replicas.length] as SentStore).claim(id, claimOf(`replica-${i}`))),
      );
      assert.equal(results.filter((r) => r.status === 'claimed').length, 1, `round ${round}: one winner`);
      const holder = (await replicas[0]?.get(id))?.claimedBy;
      const losers = results.filter((r) => r.status === 'claimed-elsewhere');
      assert.equal(losers.length, 11);
      assert.ok(losers.every((r) => r.status === 'claimed-elsewhere' && r.owner === holder), 'every loser names the winner');
    }
  });

  it('answers a claim of a sent message with its record, and marking sent drops the claim', async () => {
    const a = await open();
    const b = await openReplica();
    const id = newId();
    await a.claim(id, claimOf('replica-a'));
    assert.equal(await a.markSent(id, { routingKey: 'account.created', sentAt: new Date('2025-03-01T12:00:00.250Z'), smtpMessageId: `<${id}@bank.test>` }), true);
    const record = await b.get(id);
    assert.equal(record?.claimedBy, null);
    assert.equal(record?.claimedUntil, null);
    const seen = await b.claim(id, claimOf('replica-b'));
    assert.equal(seen.status, 'sent');
    assert.equal(seen.status === 'sent' && seen.record.sentAt, '2025-03-01T12:00:00.250Z');
    assert.equal(seen.status === 'sent' && seen.record.smtpMessageId, `<${id}@bank.test>`);
    assert.equal((await a.claim(id, claimOf('replica-a'))).status, 'sent', 'not even the former holder may send it again');
  });

  it('frees a released claim for another replica at once; a release by a non-holder changes nothing', async () => {
    const a = await open();
    const b = await openReplica();
    const id = newId();
    await a.claim(id, claimOf('replica-a'));
    await b.release(id, 'replica-b');
    assert.equal((await b.claim(id, claimOf('replica-b'))).status, 'claimed-elsewhere');
    await a.release(id, 'replica-a');
    assert.deepEqual(await b.claim(id, claimOf('replica-b')), { status: 'claimed' });
    assert.equal((await a.get(id))?.claimedBy, 'replica-b');
  });

  it('lets another replica take over the claim of a replica that died, once its lease has lapsed', async () => {
    const dying = await open();
    const survivor = await openReplica();
    const id = newId();
    assert.deepEqual(await dying.claim(id, claimOf('replica-dead', 300)), { status: 'claimed' });
    await dying.close(); // "dies" holding the claim: never marks sent, never releases
    assert.equal((await survivor.claim(id, claimOf('replica-alive'))).status, 'claimed-elsewhere', 'within the lease');
    await settle(450);
    assert.deepEqual(await survivor.claim(id, claimOf('replica-alive')), { status: 'claimed' }, 'after the lease');
    const record = await survivor.get(id);
    assert.equal(record?.claimedBy, 'replica-alive');
    assert.ok(Date.parse(record?.claimedUntil ?? '') > Date.now() + 50_000, 'the new holder has a full lease');
    assert.equal(await survivor.markSent(id, { routingKey: 'account.created', sentAt: new Date(), smtpMessageId: '<x@y>' }), true);
    assert.equal(await survivor.hasSent(id), true);
  });

  it('does not let a late release by the former holder drop the claim its successor took over', async () => {
    const a = await open();
    const b = await openReplica();
    const id = newId();
    await a.claim(id, claimOf('replica-a', 200));
    await settle(350);
    assert.deepEqual(await b.claim(id, claimOf('replica-b')), { status: 'claimed' });
    await a.release(id, 'replica-a');
    assert.equal((await a.claim(id, claimOf('replica-a'))).status, 'claimed-elsewhere');
    assert.equal((await b.get(id))?.claimedBy, 'replica-b');
  });

  it('keeps records when the storage is opened again', async () => {
    const first = await open();
    await first.markSent('sent-only', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<1@x>' });
    await first.markSent('sent-and-replied', { routingKey: 'bank.created', sentAt: new Date(), smtpMessageId: '<2@x>' });
    await first.markReplied('sent-and-replied');
    await first.claim('claimed', claimOf('replica-a'));
    await first.close();

    const reopened = await openReplica();
    assert.equal(await reopened.hasSent('sent-only'), true);
    assert.equal(await reopened.wasReplied('sent-only'), false);
    assert.equal(await reopened.hasSent('sent-and-replied'), true);
    assert.equal(await reopened.wasReplied('sent-and-replied'), true);
    assert.equal((await reopened.get('claimed'))?.claimedBy, 'replica-a');
    assert.equal(await reopened.hasSent('never'), false);
    await reopened.ping();
  });
}
