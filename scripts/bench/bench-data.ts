/**
 * The rows the benchmarks use, made through the public API with the generated client: a bank and
 * a social status (admin), a registered user with its client and one account, and 4 cards on that
 * account with a large opening balance (admin).
 */
import { createBankApiClient } from '@contract-bank/client/bank-api';

export interface BenchData {
  adminToken: string;
  userEmail: string;
  userPassword: string;
  userToken: string;
  userId: number;
  /** A second user, only for the measured login run (see run-all.ts benchLogin). */
  loginEmail: string;
  bankId: number;
  clientId: number;
  accountId: number;
  cardIds: number[];
}

function ok<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok || result.data === undefined) {
    throw new Error(`${what}: HTTP ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

export async function createBenchData(bankUrl: string, admin: { email: string; password: string }): Promise<BenchData> {
  const anonymous = createBankApiClient({ baseUrl: bankUrl });
  const adminToken = ok('admin login', await anonymous.POST('/auth/login', { body: admin })).access_token;
  const asAdmin = createBankApiClient({ baseUrl: bankUrl, token: adminToken });

  const userEmail = 'bench.user@example.com';
  const userPassword = 'bench-password-1';
  const registered = ok('register', await anonymous.POST('/auth/register', { body: { email: userEmail, password: userPassword } }));
  const userToken = ok('user login', await anonymous.POST('/auth/login', { body: { email: userEmail, password: userPassword } })).access_token;
  const asUser = createBankApiClient({ baseUrl: bankUrl, token: userToken });
  const loginEmail = 'bench.login@example.com';
  ok('register', await anonymous.POST('/auth/register', { body: { email: loginEmail, password: userPassword } }));

  const bank = ok('bank', await asAdmin.POST('/api/banks', { body: { name: 'Bench Bank' } }));
  const status = ok('social status', await asAdmin.POST('/api/social-statuses', { body: { name: 'Benchmarked' } }));
  const client = ok('client', await asUser.POST('/api/clients', { body: { name: 'Bench Client', social_status_id: status.item.id } }));
  const account = ok(
    'account',
    await asUser.POST('/api/clients/{client_id}/accounts', { params: { path: { client_id: client.item.id } }, body: { bank_id: bank.item.id } }),
  );
  const cardIds: number[] = [];
  for (let i = 0; i < 4; i++) {
    const card = ok(
      'card',
      await asAdmin.POST('/api/accounts/{account_id}/cards', { params: { path: { account_id: account.item.id } }, body: { balance: 1_000_000_000 } }),
    );
    cardIds.push(card.item.id);
  }
  return {
    adminToken,
    userEmail,
    userPassword,
    userToken,
    userId: registered.item.id,
    loginEmail,
    bankId: bank.item.id,
    clientId: client.item.id,
    accountId: account.item.id,
    cardIds,
  };
}
