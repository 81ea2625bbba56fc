import assert from 'node:assert/strict';
import { ConflictError, NotFoundError } from '../../src/domain/errors.ts';
import { createBank, deleteBank, findBankByName, getBank, listBanks, updateBank } from '../../src/repositories/banks-repository.ts';
import { createCity, deleteCity, findCityByName, listCities, updateCity } from '../../src/repositories/cities-repository.ts';
import {
  createSocialStatus,
  deleteSocialStatus,
  getSocialStatus,
  listSocialStatuses,
} from '../../src/repositories/social-statuses-repository.ts';
import { createBranch } from '../../src/repositories/branches-repository.ts';
import { nameKey } from '../../src/repositories/name-key.ts';
import { forEachDatabase } from '../support/databases.ts';

forEachDatabase('reference data repositories (banks, cities, social statuses)', (ctx) => {
  it('creates, reads, renames and deletes a bank, returning the deleted row', async function () {
    const created = await createBank(ctx.db, { name: 'Alpha Bank' });
    assert.deepEqual(Object.keys(created).sort(), ['id', 'name']);
    assert.equal(typeof created.id, 'number');
    assert.deepEqual(await getBank(ctx.db, created.id), created);

    const renamed = await updateBank(ctx.db, created.id, { name: 'Beta Bank' });
    assert.deepEqual(renamed, { id: created.id, name: 'Beta Bank' });
    assert.deepEqual(await updateBank(ctx.db, created.id, {}), renamed, 'an empty update changes nothing');

    assert.deepEqual(await deleteBank(ctx.db, created.id), renamed);
    await assert.rejects(getBank(ctx.db, created.id), NotFoundError);
    assert.equal((await ctx.db('banks')).length, 0);
  });

  it('answers NotFound for update and delete of a missing row', async function () {
    await assert.rejects(updateBank(ctx.db, 4242, { name: 'X' }), (e: unknown) => e instanceof NotFoundError && e.message === 'Bank not found');
    await assert.rejects(deleteCity(ctx.db, 4242), NotFoundError);
  });

  it('refuses a duplicate name on create and on rename, case-insensitively', async function () {
    await createCity(ctx.db, { name: 'Riga' });
    const tallinn = await createCity(ctx.db, { name: 'Tallinn' });
    await assert.rejects(createCity(ctx.db, { name: 'riga' }), (e: unknown) => e instanceof ConflictError && e.message === 'a city with this name already exists');
    await assert.rejects(updateCity(ctx.db, tallinn.id, { name: 'RIGA' }), ConflictError);
    assert.deepEqual(
      (await listCities(ctx.db, { page: 1, pageSize: 10 })).rows.map((c) => c.name),
      ['Riga', 'Tallinn'],
    );
  });

  it('pages by id with the total of all matching rows', async function () {
    const names = ['Anna Bank', 'Bravo', 'Charlie', 'Delta Bank', 'Echo', 'Foxtrot', 'Golf Bank'];
    const created = [];
    for (const name of names) created.push(await createBank(ctx.db, { name }));
    const page2 = await listBanks(ctx.db, { page: 2, pageSize: 3 });
    assert.equal(page2.total, 7);
    assert.deepEqual(page2.rows, created.slice(3, 6));
    const last = await listBanks(ctx.db, { page: 3, pageSize: 3 });
    assert.deepEqual(last.rows, created.slice(6));
    const past = await listBanks(ctx.db, { page: 9, pageSize: 3 });
    assert.deepEqual(past, { total: 7, rows: [] });
  });

  it('filters by exact name (case-insensitive) and by a part of the name, with literal wildcards', async function () {
    for (const name of ['Anna Bank', 'Bravo', 'Delta Bank', 'Percent%Bank']) await createBank(ctx.db, { name });
    const exact = await listBanks(ctx.db, { page: 1, pageSize: 10 }, { name: 'bravo' });
    assert.deepEqual(exact.rows.map((b) => b.name), ['Bravo']);
    assert.equal(exact.total, 1);
    const part = await listBanks(ctx.db, { page: 1, pageSize: 1 }, { name_contains: 'BANK' });
    assert.equal(part.total, 3);
    assert.deepEqual(part.rows.map((b) => b.name), ['Anna Bank']);
    const literal = await listBanks(ctx.db, { page: 1, pageSize: 10 }, { name_contains: '%' });
    assert.deepEqual(literal.rows.map((b) => b.name), ['Percent%Bank']);
    assert.deepEqual((await findBankByName(ctx.db, 'DELTA bank'))?.name, 'Delta Bank');
  });

  it('treats names differing only in the case of any letter as the same name, on create and on rename', async function () {
    const zurich = await createBank(ctx.db, { name: 'Zürich Bank' });
    const isConflict = (e: unknown): boolean => e instanceof ConflictError && e.message === 'a bank with this name already exists';
    await assert.rejects(createBank(ctx.db, { name: 'ZÜRICH BANK' }), isConflict);
    await assert.rejects(createBank(ctx.db, { name: 'zürich bank' }), isConflict);
    const example = await createBank(ctx.db, { name: 'Example Bank' });
    await assert.rejects(createBank(ctx.db, { name: 'example bank' }), isConflict);
    await assert.rejects(updateBank(ctx.db, example.id, { name: 'ZüRiCh BaNk' }), isConflict);
    const lviv = await createCity(ctx.db, { name: 'Львів' });
    await assert.rejects(createCity(ctx.db, { name: 'ЛЬВІВ' }), (e: unknown) => e instanceof ConflictError && e.message === 'a city with this name already exists');
    await createCity(ctx.db, { name: 'Αθήνα' });
    await assert.rejects(createCity(ctx.db, { name: 'ΑΘΉΝΑ' }), ConflictError);
    assert.deepEqual((await listBanks(ctx.db, { page: 1, pageSize: 10 })).rows, [zurich, example]);
    assert.deepEqual(await getBank(ctx.db, example.id), example, 'the failed rename changed nothing');
    assert.deepEqual((await listCities(ctx.db, { page: 1, pageSize: 10 })).rows.map((c) => c.name), ['Львів', 'Αθήνα']);
    assert.deepEqual(await findCityByName(ctx.db, 'львів'), lviv);
  });

  it('keeps names that differ in accents apart and stores every name as written', async function () {
    const plain = await createBank(ctx.db, { name: 'Zurich Bank' });
    const accented = await createBank(ctx.db, { name: 'Zürich Bank' });
    const sharp = await createCity(ctx.db, { name: 'Straße' });
    await createCity(ctx.db, { name: 'Strase' });
    assert.notEqual(plain.id, accented.id);
    assert.deepEqual(
      (await ctx.db('banks').orderBy('id').select('name')).map((r: { name: string }) => r.name),
      ['Zurich Bank', 'Zürich Bank'],
    );
    assert.deepEqual(await findBankByName(ctx.db, 'ZURICH BANK'), plain);
    assert.deepEqual(await findBankByName(ctx.db, 'ZÜRICH BANK'), accented);
    assert.deepEqual(await findCityByName(ctx.db, 'STRAßE'), sharp);
    // A case-only rename of a row keeps its own name key: allowed.
    assert.deepEqual(await updateBank(ctx.db, accented.id, { name: 'ZÜRICH BANK' }), { id: accented.id, name: 'ZÜRICH BANK' });
  });

  it('treats canonically equivalent spellings (composed or decomposed accents) as the same name', async function () {
    await createBank(ctx.db, { name: 'Zürich Bank' });
    await assert.rejects(createBank(ctx.db, { name: 'Zu\u0308rich Bank' }), ConflictError);
    assert.equal((await findBankByName(ctx.db, 'ZU\u0308RICH BANK'))?.name, 'Zürich Bank');
    // The upper case of 'Ἀθῆναι' has no precomposed capital eta: 'ἈΘΗ\u0342ΝΑΙ'.
    await createCity(ctx.db, { name: 'Ἀθῆναι' });
    assert.equal('Ἀθῆναι'.toUpperCase(), 'ἈΘΗ\u0342ΝΑΙ');
    await assert.rejects(createCity(ctx.db, { name: 'Ἀθῆναι'.toUpperCase() }), ConflictError);
    assert.equal((await listCities(ctx.db, { page: 1, pageSize: 10 })).total, 1);
  });

  it('filters by exact name and by a part of the name case-insensitively for any script, keeping accents', async function () {
    const names = ['Zürich Bank', 'Zurich Bank', 'Львівський Банк', 'Київ Банк', 'Ärzte Bank'];
    const banks = [];
    for (const name of names) banks.push(await createBank(ctx.db, { name }));
    const [zurichAccented, zurichPlain, lviv, kyiv, aerzte] = banks;
    const page = { page: 1, pageSize: 10 };

    assert.deepEqual((await listBanks(ctx.db, page, { name: 'ZÜRICH BANK' })).rows, [zurichAccented]);
    assert.deepEqual((await listBanks(ctx.db, page, { name: 'zurich bank' })).rows, [zurichPlain]);
    assert.deepEqual((await listBanks(ctx.db, page, { name: 'ЛЬВІВСЬКИЙ БАНК' })).rows, [lviv]);
    assert.deepEqual(await listBanks(ctx.db, page, { name: 'Zürich Bank ' }), { total: 0, rows: [] }, 'a trailing space is part of the name');
    assert.deepEqual(await listBanks(ctx.db, page, { name: 'Zurich' }), { total: 0, rows: [] });

    assert.deepEqual((await listBanks(ctx.db, page, { name_contains: 'ÜRI' })).rows, [zurichAccented]);
    assert.deepEqual((await listBanks(ctx.db, page, { name_contains: 'uri' })).rows, [zurichPlain]);
    assert.deepEqual((await listBanks(ctx.db, page, { name_contains: 'БАНК' })).rows, [lviv, kyiv]);
    assert.deepEqual((await listBanks(ctx.db, page, { name_contains: 'київ' })).rows, [kyiv]);
    assert.deepEqual((await listBanks(ctx.db, page, { name_contains: 'äR' })).rows, [aerzte]);
    assert.deepEqual(await listBanks(ctx.db, page, { name_contains: 'arzte' }), { total: 0, rows: [] });
    assert.deepEqual(await listBanks(ctx.db, page, { name_contains: '_' }), { total: 0, rows: [] }, 'the LIKE wildcard is literal');
  });

  it('stores a 50-letter name whose key is longer than the name (İ, and a letter NFC splits in three)', async function () {
    const dotted = await createCity(ctx.db, { name: 'İ'.repeat(50) });
    assert.equal(nameKey(dotted.name).length, 100);
    const shin = await createCity(ctx.db, { name: '\uFB2C'.repeat(50) });
    assert.equal([...nameKey(shin.name)].length, 150);
    assert.deepEqual(await findCityByName(ctx.db, '\uFB2C'.repeat(50)), shin);
    assert.deepEqual((await listCities(ctx.db, { page: 1, pageSize: 10 })).rows, [dotted, shin]);
  });

  it('refuses to delete a bank or city that a branch uses, and deletes nothing', async function () {
    const bank = await createBank(ctx.db, { name: 'Alpha' });
    const city = await createCity(ctx.db, { name: 'Riga' });
    await createBranch(ctx.db, { bank_id: bank.id, city_id: city.id });
    await assert.rejects(deleteBank(ctx.db, bank.id), (e: unknown) => e instanceof ConflictError && e.message === 'this bank still has branches or accounts');
    await assert.rejects(deleteCity(ctx.db, city.id), (e: unknown) => e instanceof ConflictError && e.message === 'this city still has branches');
    assert.deepEqual(await getBank(ctx.db, bank.id), bank);
    assert.equal((await listCities(ctx.db, { page: 1, pageSize: 5 })).total, 1);
  });

  it('handles social statuses like the other reference tables', async function () {
    const status = await createSocialStatus(ctx.db, { name: 'Student' });
    await assert.rejects(createSocialStatus(ctx.db, { name: 'STUDENT' }), (e: unknown) => e instanceof ConflictError && e.message === 'a social status with this name already exists');
    assert.deepEqual(await getSocialStatus(ctx.db, status.id), status);
    assert.deepEqual((await listSocialStatuses(ctx.db, { page: 1, pageSize: 5 })).rows, [status]);
    assert.deepEqual(await deleteSocialStatus(ctx.db, status.id), status);
    assert.equal((await listSocialStatuses(ctx.db, { page: 1, pageSize: 5 })).total, 0);
  });
}, { state: 'migrated', emptyBeforeEach: true });
