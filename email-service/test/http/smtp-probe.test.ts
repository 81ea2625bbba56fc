import assert from 'node:assert/strict';
import { createSmtpProbe } from '../../src/http/smtp-probe.ts';
import type { MailTransport } from '../../src/mail/index.ts';

describe('SMTP readiness probe', () => {
  let clock: number;
  let verifies: number;
  let verifyOk: boolean;
  const transport: MailTransport = {
    send: () => Promise.reject(new Error('not used')),
    verify: async () => {
      verifies++;
      if (!verifyOk) throw new Error('ECONNREFUSED');
    },
    close: () => undefined,
  };
  const probe = () => createSmtpProbe(transport, { ttlMs: 5_000, reportTtlMs: 60_000, now: () => clock });

  beforeEach(() => {
    clock = 1_000_000;
    verifies = 0;
    verifyOk = true;
  });

  it('reuses a verify() result for its TTL, then verifies again', async () => {
    const smtp = probe();
    assert.equal(await smtp.check(), 'up');
    verifyOk = false;
    clock += 4_999;
    assert.equal(await smtp.check(), 'up');
    assert.equal(verifies, 1);
    clock += 1;
    assert.equal(await smtp.check(), 'down');
    assert.equal(verifies, 2);
  });

  it('says down while sends find the server unavailable, even when it greets; an answered send clears it', async () => {
    const smtp = probe();
    smtp.report('unavailable');
    assert.equal(await smtp.check(), 'down');
    assert.equal(verifies, 0, 'the send outcome decides');
    smtp.report('rejected');
    assert.equal(await smtp.check(), 'up', 'a refusal is an answer: the server is up');
    smtp.report('unavailable');
    smtp.report('accepted');
    assert.equal(await smtp.check(), 'up');
  });

  it('lets a failure report go stale when no send has tried for its TTL, falling back to verify()', async () => {
    const smtp = probe();
    smtp.report('unavailable');
    clock += 59_999;
    assert.equal(await smtp.check(), 'down');
    clock += 1;
    assert.equal(await smtp.check(), 'up');
  });
});
