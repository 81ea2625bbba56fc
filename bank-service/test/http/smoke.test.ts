import assert from 'node:assert/strict';
import request from 'supertest';
import { forEachDatabase } from '../support/databases.ts';
import { createTestBank, bearer } from '../support/bank-test-app.ts';

forEachDatabase('smoke', (target) => {
  it('works', async () => {
    const bank = createTestBank(target.db);
    const u = await bank.registerAndLogin();
    const who = await request(bank.app).get('/auth/whoami').set(bearer(u.token));
    console.log(who.status, who.body);
    const admin = await bank.adminToken();
    const b = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: 'Alpha' });
    console.log(b.status, b.body);
    const l = await request(bank.app).get('/api/banks?page_size=1').set(bearer(u.token));
    console.log(l.status, l.body);
    const m = await bank.managerToken();
    assert.ok(m);
    const d = await request(bank.app).get('/docs');
    console.log(d.status, d.headers.location);
    const d2 = await request(bank.app).get('/docs/');
    console.log(d2.status, d2.headers['content-security-policy'], d2.text.length);
    const d3 = await request(bank.app).get('/docs/swagger-ui-init.js');
    console.log(d3.status, d3.text.length);
    const d4 = await request(bank.app).get('/docs/swagger-ui.css');
    console.log(d4.status);
  });
});
