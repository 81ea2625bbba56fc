import assert from 'node:assert/strict';
import type { Knex } from 'knex';
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.ts';
import { createBank } from '../../src/repositories/banks-repository.ts';
import { createCity } from '../../src/repositories/cities-repository.ts';
import { createSocialStatus } from '../../src/repositories/social-statuses-repository.ts';
import { BUILT_IN_ROLES, ensureRoles } from '../../src/repositories/roles-repository.ts';
import { createUser } from '../../src/repositories/users-repository.ts';
import { createBranch, deleteBranch, getBranch, listBranches, updateBranch } from '../../src/repositories/branches-repository.ts';
import {
  createClient,
  deleteClient,
  findClientByUserId,
  getClient,
  listClients,
  updateClient,
} from '../../src/repositories/clients-repository.ts';
import { createAccount, deleteAccount, getAccount, listAccounts, updateAccount } from '../../src/repositories/accounts-repository.ts';
import { createCard, deleteCard, getCard, listCards, updateCard } from '../../src/repositories/cards-repository.ts';
import {
  accountIdsOfUser,
  clientIdOfUser,
  loadPrincipal,
  ownerUserIdOfAccount,
  ownerUserIdOfCard,
  ownerUserIdOfClient,
} from '../../src/repositories/ownership-repository.ts';
import { forEachDatabase } from '../support/databases.ts';

async function people(db: Knex) {
  await ensureRoles(db, BUILT_IN_ROLES);
  const status = await createSocialStatus(db, { name: 'Employed' });
  const bank = await createBank(db, { name: 'Alpha' });
  const otherBank = await createBank(db, { name: 'Beta' });
  const ann = await createUser(db, { email: 'ann@example.com', password_hash: 'h' });
  const bob = await createUser(db, { email: 'bob@example.com', password_hash: 'h' });
  const annClient = await createClient(db, { name: 'Ann Smith', social_status_id: status.id, user_id: ann.id });
  const bobClient = await createClient(db, { name: 'Bob Jones', social_status_id: status.id, user_id: bob.id });
  return { status, bank, otherBank, ann, bob, annClient, bobClient };
}

forEachDatabase('branch, client, account and card repositories', (ctx) => {
  it('creates, updates (partially), lists by filter and deletes branches', async function () {
    const bank = await createBank(ctx.db, { name: 'Alpha' });
    const riga = await createCity(ctx.db, { name: 'Riga' });
    const tartu = await createCity(ctx.db, { name: 'Tartu' });
    const b1 = await createBranch(ctx.db, { bank_id: bank.id, city_id: riga.id, address: 'Main St 1' });
    const b2 = await createBranch(ctx.db, { bank_id: bank.id, city_id: tartu.id });
    assert.deepEqual(b2, { id: b2.id, bank_id: bank.id, city_id: tartu.id, address: null });

    const moved = await updateBranch(ctx.db, b1.id, { city_id: tartu.id });
    assert.deepEqual(moved, { ...b1, city_id: tartu.id }, 'address kept');
    assert.deepEqual(await updateBranch(ctx.db, b1.id, { address: null }), { ...moved, address: null });

    const inTartu = await listBranches(ctx.db, { page: 1, pageSize: 5 }, { bank_id: bank.id, city_id: tartu.id });
    assert.equal(inTartu.total, 2);
    assert.equal((await listBranches(ctx.db, { page: 1, pageSize: 5 }, { city_id: riga.id })).total, 0);

    await assert.rejects(createBranch(ctx.db, { bank_id: bank.id, city_id: 9999 }), (e: unknown) => e instanceof ConflictError && e.message === 'the referenced city does not exist');
    await assert.rejects(updateBranch(ctx.db, b2.id, { bank_id: 9999 }), (e: unknown) => e instanceof ConflictError && e.message === 'the referenced bank does not exist');
    assert.deepEqual(await getBranch(ctx.db, b2.id), b2);

    assert.deepEqual(await deleteBranch(ctx.db, b2.id), b2);
    await assert.rejects(getBranch(ctx.db, b2.id), NotFoundError);
  });

  it('allows one client per user and filters clients', async function () {
    const { status, ann, annClient, bobClient } = await people(ctx.db);
    assert.deepEqual(annClient, { id: annClient.id, name: 'Ann Smith', social_status_id: status.id, user_id: ann.id });
    await assert.rejects(createClient(ctx.db, { name: 'Again', social_status_id: status.id, user_id: ann.id }), (e: unknown) => e instanceof ConflictError && e.message === 'this user already has a client');
    await assert.rejects(createClient(ctx.db, { name: 'Ghost', social_status_id: status.id, user_id: 9999 }), (e: unknown) => e instanceof ConflictError && e.message === 'the referenced user does not exist');
    assert.deepEqual(await findClientByUserId(ctx.db, ann.id), annClient);

    assert.deepEqual((await listClients(ctx.db, { page: 1, pageSize: 5 }, { user_id: ann.id })).rows, [annClient]);
    assert.deepEqual((await listClients(ctx.db, { page: 1, pageSize: 5 }, { name_contains: 'jones' })).rows, [bobClient]);
    assert.equal((await listClients(ctx.db, { page: 1, pageSize: 1 }, { social_status_id: status.id })).total, 2);

    const renamed = await updateClient(ctx.db, annClient.id, { name: 'Ann Brown' });
    assert.deepEqual(renamed, { ...annClient, name: 'Ann Brown' });
    await assert.rejects(updateClient(ctx.db, annClient.id, { user_id: bobClient.user_id }), ConflictError);
    assert.deepEqual(await getClient(ctx.db, annClient.id), renamed);
  });

  it('creates accounts and cards with balance 0 by default and numbers for money', async function () {
    const { bank, annClient } = await people(ctx.db);
    const account = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id });
    assert.deepEqual(account, { id: account.id, client_id: annClient.id, bank_id: bank.id, balance: 0 });
    const card = await createCard(ctx.db, { account_id: account.id, balance: 520 });
    assert.deepEqual(card, { id: card.id, account_id: account.id, balance: 520 });
    await assert.rejects(createAccount(ctx.db, { client_id: annClient.id, bank_id: 9999 }), (e: unknown) => e instanceof ConflictError && e.message === 'the referenced bank does not exist');
    await assert.rejects(createCard(ctx.db, { account_id: 9999 }), (e: unknown) => e instanceof ConflictError && e.message === 'the referenced account does not exist');
    await assert.rejects(createCard(ctx.db, { account_id: account.id, balance: 1.5 }), ValidationError);
    assert.equal((await listCards(ctx.db, { page: 1, pageSize: 5 })).total, 1);
  });

  it('refuses a negative balance through the CHECK constraint and keeps the old one', async function () {
    const { bank, annClient } = await people(ctx.db);
    const account = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id, balance: 10 });
    const card = await createCard(ctx.db, { account_id: account.id, balance: 10 });
    await assert.rejects(updateAccount(ctx.db, account.id, { balance: -1 }), (e: unknown) => e instanceof ConflictError && e.message === 'the balance cannot be negative');
    await assert.rejects(updateCard(ctx.db, card.id, { balance: -100 }), (e: unknown) => e instanceof ConflictError && e.message === 'the balance cannot be negative');
    await assert.rejects(createCard(ctx.db, { account_id: account.id, balance: -1 }), ConflictError);
    assert.equal((await getAccount(ctx.db, account.id)).balance, 10);
    assert.equal((await getCard(ctx.db, card.id)).balance, 10);
  });

  it('updates only what is sent and lists accounts and cards by owner, client, bank and account', async function () {
    const { bank, otherBank, ann, bob, annClient, bobClient } = await people(ctx.db);
    const a1 = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id });
    const a2 = await createAccount(ctx.db, { client_id: annClient.id, bank_id: otherBank.id });
    const b1 = await createAccount(ctx.db, { client_id: bobClient.id, bank_id: bank.id });
    const cards = [];
    for (let i = 0; i < 4; i += 1) cards.push(await createCard(ctx.db, { account_id: a1.id, balance: 100 * i }));
    const bobCard = await createCard(ctx.db, { account_id: b1.id });

    assert.deepEqual(await updateAccount(ctx.db, a2.id, { balance: 300 }), { ...a2, balance: 300 });
    assert.deepEqual(await updateCard(ctx.db, cards[0]!.id, { balance: 600 }), { ...cards[0]!, balance: 600 });
    cards[0] = { ...cards[0]!, balance: 600 };

    assert.deepEqual((await listAccounts(ctx.db, { page: 1, pageSize: 5 }, { owner_user_id: ann.id })).rows.map((a) => a.id), [a1.id, a2.id]);
    assert.deepEqual((await listAccounts(ctx.db, { page: 1, pageSize: 5 }, { bank_id: bank.id })).rows.map((a) => a.id), [a1.id, b1.id]);
    assert.deepEqual((await listAccounts(ctx.db, { page: 1, pageSize: 5 }, { client_id: bobClient.id, bank_id: otherBank.id })).total, 0);

    const page2 = await listCards(ctx.db, { page: 2, pageSize: 2 }, { account_id: a1.id });
    assert.equal(page2.total, 4);
    assert.deepEqual(page2.rows, cards.slice(2, 4));
    assert.deepEqual((await listCards(ctx.db, { page: 1, pageSize: 10 }, { owner_user_id: bob.id })).rows, [bobCard]);
    assert.equal((await listCards(ctx.db, { page: 1, pageSize: 10 }, { owner_user_id: ann.id })).total, 4);
  });

  it('deletes only empty accounts and cards, and an account only without cards', async function () {
    const { bank, annClient } = await people(ctx.db);
    const account = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id, balance: 5 });
    const card = await createCard(ctx.db, { account_id: account.id, balance: 7 });

    await assert.rejects(deleteCard(ctx.db, card.id), (e: unknown) => e instanceof ConflictError && e.message === 'the card balance is not zero');
    await assert.rejects(deleteAccount(ctx.db, account.id), (e: unknown) => e instanceof ConflictError && e.message === 'the account balance is not zero');
    await updateAccount(ctx.db, account.id, { balance: 0 });
    await assert.rejects(deleteAccount(ctx.db, account.id), (e: unknown) => e instanceof ConflictError && e.message === 'this account still has cards');
    await assert.rejects(deleteClient(ctx.db, annClient.id), (e: unknown) => e instanceof ConflictError && e.message === 'this client still has accounts');
    assert.equal((await ctx.db('cards')).length, 1);
    assert.equal((await ctx.db('accounts')).length, 1);

    await updateCard(ctx.db, card.id, { balance: 0 });
    assert.deepEqual(await deleteCard(ctx.db, card.id), { ...card, balance: 0 });
    assert.deepEqual(await deleteAccount(ctx.db, account.id), { ...account, balance: 0 });
    assert.deepEqual(await deleteClient(ctx.db, annClient.id), annClient);
    await assert.rejects(deleteCard(ctx.db, card.id), NotFoundError);
    await assert.rejects(deleteAccount(ctx.db, account.id), NotFoundError);
  });

  it('answers ownership lookups, with null for rows that do not exist', async function () {
    const { bank, ann, bob, annClient, bobClient } = await people(ctx.db);
    const a1 = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id });
    const a2 = await createAccount(ctx.db, { client_id: annClient.id, bank_id: bank.id });
    const card = await createCard(ctx.db, { account_id: a2.id });

    assert.equal(await ownerUserIdOfClient(ctx.db, annClient.id), ann.id);
    assert.equal(await ownerUserIdOfClient(ctx.db, bobClient.id), bob.id);
    assert.equal(await ownerUserIdOfAccount(ctx.db, a1.id), ann.id);
    assert.equal(await ownerUserIdOfCard(ctx.db, card.id), ann.id);
    assert.equal(await ownerUserIdOfClient(ctx.db, 9999), null);
    assert.equal(await ownerUserIdOfAccount(ctx.db, 9999), null);
    assert.equal(await ownerUserIdOfCard(ctx.db, 9999), null);

    assert.equal(await clientIdOfUser(ctx.db, ann.id), annClient.id);
    assert.deepEqual(await accountIdsOfUser(ctx.db, ann.id), [a1.id, a2.id]);
    assert.deepEqual(await accountIdsOfUser(ctx.db, bob.id), []);
    const loner = await createUser(ctx.db, { email: 'loner@example.com', password_hash: 'h', roles: ['manager'] });
    assert.equal(await clientIdOfUser(ctx.db, loner.id), null);

    assert.deepEqual(await loadPrincipal(ctx.db, ann.id), {
      id: ann.id,
      email: 'ann@example.com',
      roles: ['user'],
      is_blocked: false,
      client_id: annClient.id,
      account_ids: [a1.id, a2.id],
    });
    assert.equal(await loadPrincipal(ctx.db, 9999), null);
  });

  it('rejects a page number or size below 1', async function () {
    await assert.rejects(listAccounts(ctx.db, { page: 0, pageSize: 5 }), (e: unknown) => e instanceof ValidationError && e.path === 'page_number');
    await assert.rejects(listCards(ctx.db, { page: 1, pageSize: 0 }), (e: unknown) => e instanceof ValidationError && e.path === 'page_size');
  });
}, { state: 'migrated', emptyBeforeEach: true });
