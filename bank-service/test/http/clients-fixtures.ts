// Owned-row fixtures for the clients/accounts/cards/transfers suites, built through the HTTP API.
//
//   referenceData(bank)                 → { socialStatusId, bankId } (created by the admin, fresh names)
//   userWithAccount(bank, ref?)         → { user, clientId, accountId } (the user registers, creates its
//                                         client and an account with its own token)
//   adminCard(bank, accountId, balance) → the card created by the admin with that opening balance
import assert from 'node:assert/strict';
import request from 'supertest';
import { bearer, type TestBank, type TestUser } from '../support/bank-test-app.ts';

export interface Card {
  id: number;
  account_id: number;
  balance: number;
}

export interface Reference {
  socialStatusId: number;
  bankId: number;
}

export interface UserWithAccount {
  user: TestUser;
  clientId: number;
  accountId: number;
}

let sequence = 0;

/** Names allow letters only: 1 → "a", 27 → "ab". */
export function letters(n: number): string {
  let text = '';
  for (let v = n; v > 0; v = Math.floor((v - 1) / 26)) text = String.fromCharCode(97 + ((v - 1) % 26)) + text;
  return text;
}

function uniqueName(prefix: string): string {
  sequence += 1;
  return `${prefix} ${letters(sequence)}`;
}

export async function referenceData(bank: TestBank): Promise<Reference> {
  const admin = await bank.adminToken();
  const status = await request(bank.app).post('/api/social-statuses').set(bearer(admin)).send({ name: uniqueName('Status') });
  assert.equal(status.status, 201, JSON.stringify(status.body));
  const created = await request(bank.app).post('/api/banks').set(bearer(admin)).send({ name: uniqueName('Bank') });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return { socialStatusId: (status.body as { item: { id: number } }).item.id, bankId: (created.body as { item: { id: number } }).item.id };
}

export async function userWithAccount(bank: TestBank, ref?: Reference): Promise<UserWithAccount> {
  const reference = ref ?? (await referenceData(bank));
  const user = await bank.registerAndLogin();
  const client = await request(bank.app)
    .post('/api/clients')
    .set(bearer(user.token))
    .send({ name: 'John Doe', social_status_id: reference.socialStatusId });
  assert.equal(client.status, 201, JSON.stringify(client.body));
  const clientId = (client.body as { item: { id: number } }).item.id;
  const account = await request(bank.app)
    .post(`/api/clients/${clientId}/accounts`)
    .set(bearer(user.token))
    .send({ bank_id: reference.bankId });
  assert.equal(account.status, 201, JSON.stringify(account.body));
  return { user, clientId, accountId: (account.body as { item: { id: number } }).item.id };
}

export async function adminCard(bank: TestBank, accountId: number, balance: number): Promise<Card> {
  const res = await request(bank.app)
    .post(`/api/accounts/${accountId}/cards`)
    .set(bearer(await bank.adminToken()))
    .send({ balance });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return (res.body as { item: Card }).item;
}
