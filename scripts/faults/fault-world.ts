/**
 * The data a fault test works on, made through the bank's API with the generated client: an admin,
 * a bank, a social status, and a few users each owning one client.
 */
import assert from 'node:assert/strict';
import { createBankApiClient, type BankApiClient } from '@contract-bank/client/bank-api';
import type { SystemUnderTest } from '../e2e/service-processes.ts';

export interface ClientOwner {
  /** The user's API client (its bearer token set). */
  api: BankApiClient;
  userId: number;
  clientId: number;
}

export interface FaultWorld {
  admin: BankApiClient;
  adminToken: string;
  bankId: number;
  socialStatusId: number;
  owners: ClientOwner[];
}

export async function loginAdmin(system: SystemUnderTest): Promise<{ admin: BankApiClient; adminToken: string }> {
  const anonymous = createBankApiClient({ baseUrl: system.bank.url });
  const login = await anonymous.POST('/auth/login', { body: { email: system.adminEmail, password: system.adminPassword } });
  assert.equal(login.response.status, 200, JSON.stringify(login.error));
  const adminToken = login.data!.access_token;
  return { admin: createBankApiClient({ baseUrl: system.bank.url, token: adminToken }), adminToken };
}

export async function createBank(admin: BankApiClient, name: string): Promise<number> {
  const bank = await admin.POST('/api/banks', { body: { name } });
  assert.equal(bank.response.status, 201, JSON.stringify(bank.error));
  return bank.data!.item.id;
}

/** Register and log in `email`, then create its client. */
export async function createClientOwner(system: SystemUnderTest, email: string, name: string, socialStatusId: number): Promise<ClientOwner> {
  const anonymous = createBankApiClient({ baseUrl: system.bank.url });
  const password = 'fault-test-password';
  const registered = await anonymous.POST('/auth/register', { body: { email, password } });
  assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
  const login = await anonymous.POST('/auth/login', { body: { email, password } });
  assert.equal(login.response.status, 200, JSON.stringify(login.error));
  const api = createBankApiClient({ baseUrl: system.bank.url, token: login.data!.access_token });
  const client = await api.POST('/api/clients', { body: { name, social_status_id: socialStatusId } });
  assert.equal(client.response.status, 201, JSON.stringify(client.error));
  return { api, userId: registered.data!.item.id, clientId: client.data!.item.id };
}

const OWNER_NAMES = ['Alice Fault', 'Bob Fault', 'Carol Fault', 'Dave Fault', 'Erin Fault', 'Frank Fault', 'Grace Fault', 'Heidi Fault'];

/** Admin login, one bank, one social status and `owners` users with a client each. */
export async function createFaultWorld(system: SystemUnderTest, options: { owners: number; bankName?: string }): Promise<FaultWorld> {
  const { admin, adminToken } = await loginAdmin(system);
  const bankId = await createBank(admin, options.bankName ?? 'Fault Bank');
  const status = await admin.POST('/api/social-statuses', { body: { name: 'Employed' } });
  assert.equal(status.response.status, 201, JSON.stringify(status.error));
  const socialStatusId = status.data!.item.id;
  const owners: ClientOwner[] = [];
  for (let i = 0; i < options.owners; i++) {
    const name = OWNER_NAMES[i % OWNER_NAMES.length]!;
    owners.push(await createClientOwner(system, `owner${i + 1}@example.com`, name, socialStatusId));
  }
  return { admin, adminToken, bankId, socialStatusId, owners };
}
