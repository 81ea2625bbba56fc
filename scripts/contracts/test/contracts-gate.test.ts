import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { diff as asyncApiDiff, type JSONOutput } from '@asyncapi/diff';
import { parseAsyncApi } from '../asyncapi-diff.ts';
import { renderUnreleased, updateChangelog } from '../changelog.ts';
import { checkContract, checkContracts, writeChangelog } from '../check-contracts.ts';
import type { ContractChange } from '../contract-change.ts';
import { CONTRACTS, DEFAULT_PATHS } from '../contracts.ts';
import { fixtureContract, fixturePath, writeEdited, type FixtureKind } from './fixtures.ts';

const breakingOf = (changes: readonly ContractChange[]) => changes.filter((c) => c.level === 'breaking');

/** Gate the fixture `kind` from its released version to `current` (a fixture name or a file path). */
async function check(kind: FixtureKind, current: string | Promise<string>) {
  const name = await current;
  return checkContract(fixtureContract(kind), fixturePath(kind, 'released'), path.isAbsolute(name) ? name : fixturePath(kind, name));
}

describe('breaking-change gate (npm run contracts:check)', function () {
  this.timeout(60_000);
  let dir = '';

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'contracts-gate-test-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('OpenAPI 3.1 fixture', () => {
    it('passes a contract never released: diffed from an empty 0.0.0 document, every operation an addition', async () => {
      const report = await checkContract(fixtureContract('openapi'), path.join(dir, 'never-released.yaml'), fixturePath('openapi', 'released'));
      assert.equal(report.releasedVersion, '0.0.0');
      assert.equal(report.verdict.passed, true);
      assert.ok(report.changes.some((c) => c.level === 'non-breaking' && c.location === 'GET /api/widgets/{id}'), report.changes.map((c) => c.location).join('\n'));
    });

    it('fails when a response field is removed and info.version keeps the released major', async () => {
      const report = await check('openapi', 'remove-field');
      assert.equal(report.verdict.passed, false);
      assert.match(report.verdict.reason, /breaking change\(s\) while info\.version 1\.0\.0 keeps the released major 1: undo them or raise info\.version to 2\.0\.0/);
      const removed = breakingOf(report.changes).map((c) => `${c.location}: ${c.description}`);
      assert.ok(removed.includes('POST /api/widgets: [Removed] property `name` in Response 201 content (application/json)'), removed.join('\n'));
      assert.ok(removed.includes('GET /api/widgets/{id}: [Removed] property `name` in Response 200 content (application/json)'), removed.join('\n'));
      assert.match(renderUnreleased([report]), /\*\*Blocked by the gate\*\*/);
    });

    it('passes the same removal once info.version raises the major, and the changelog lists it as breaking', async () => {
      const report = await check('openapi', 'remove-field-major');
      assert.equal(report.verdict.passed, true);
      assert.equal(report.verdict.majorRaised, true);
      assert.equal(breakingOf(report.changes).length, 4);
      const changelog = renderUnreleased([report]);
      assert.match(changelog, /^### Widget API \(`specs\/widget\.openapi\.yaml`\) 1\.0\.0 → 2\.0\.0$/m);
      assert.match(changelog, /^Major release: 4 breaking change\(s\), allowed: the major version was raised \(1\.0\.0 → 2\.0\.0\)\.$/m);
      assert.match(changelog, /^#### Breaking \(4\)$/m);
      assert.match(changelog, /^- `POST \/api\/widgets` `responses\/201\/content\/application\/json\/schema\/properties\/name`: \[Removed\] property `name`/m);
    });

    it('passes an added optional field as non-breaking and names it in the changelog', async () => {
      const report = await check('openapi', 'add-optional-field');
      assert.equal(report.verdict.passed, true);
      assert.deepEqual(breakingOf(report.changes), []);
      const added = report.changes.filter((c) => c.level === 'non-breaking').map((c) => `${c.location}: ${c.description}`);
      assert.deepEqual(added, [
        'POST /api/widgets: [Added] property `colour` in Request Body content (application/json)',
        'POST /api/widgets: [Added] property `colour` in Response 201 content (application/json)',
        'GET /api/widgets/{id}: [Added] property `colour` in Response 200 content (application/json)',
      ]);
      const changelog = renderUnreleased([report]);
      assert.match(changelog, /^#### Non-breaking \(3\)$/m);
      assert.match(changelog, /^- `POST \/api\/widgets` `requestBody\/content\/application\/json\/schema\/properties\/colour`: \[Added\] property `colour` in Request Body content/m);
      assert.doesNotMatch(changelog, /Breaking|Blocked/);
    });

    it('fails a lowered version even without a breaking change', async () => {
      const lowered = writeEdited(fixturePath('openapi', 'released'), dir, 'openapi-lowered', (d) => {
        d.info.version = '0.9.0';
      });
      const report = await check('openapi', lowered);
      assert.equal(report.verdict.passed, false);
      assert.equal(report.verdict.reason, 'info.version 0.9.0 is lower than the released 1.0.0');
    });
  });

  describe('AsyncAPI 3.0 fixture', () => {
    it('fails when a payload field is removed and info.version keeps the released major', async () => {
      const report = await check('asyncapi', 'remove-field');
      assert.equal(report.verdict.passed, false);
      assert.deepEqual(
        breakingOf(report.changes).map((c) => [c.location, c.pointer, c.description]),
        [['message widgetCreated payload', 'properties/name', '[Removed] property `name`']],
      );
      assert.match(breakingOf(report.changes)[0]?.note ?? '', /additionalProperties: false/);
    });

    it('passes the same removal once info.version raises the major', async () => {
      const major = writeEdited(fixturePath('asyncapi', 'remove-field'), dir, 'asyncapi-remove-field-major', (d) => {
        d.info.version = '2.0.0';
      });
      const report = await check('asyncapi', major);
      assert.equal(report.verdict.passed, true);
      assert.equal(breakingOf(report.changes).length, 1);
      assert.match(renderUnreleased([report]), /^Major release: 1 breaking change\(s\)/m);
    });

    it('passes an added optional payload field as non-breaking and names it in the changelog', async () => {
      const report = await check('asyncapi', 'add-optional-field');
      assert.equal(report.verdict.passed, true, report.verdict.reason);
      assert.deepEqual(
        report.changes.map((c) => [c.level, c.location, c.description]),
        [
          ['non-breaking', 'message widgetCreated payload', '[Added] property `colour`'],
          ['annotation', '/info/version', '[Changed] "1.0.0" → "1.1.0"'],
        ],
      );
      assert.match(renderUnreleased([report]), /^- `message widgetCreated payload` `properties\/colour`: \[Added\] property `colour`$/m);
    });

    it('keeps @asyncapi/diff’s verdict on channels and operations: a removed operation is breaking', async () => {
      const removed = writeEdited(fixturePath('asyncapi', 'released'), dir, 'asyncapi-remove-operation', (d) => {
        delete d.operations.consumeWidgetCreated;
      });
      const report = await check('asyncapi', removed);
      assert.equal(report.verdict.passed, false);
      assert.deepEqual(
        breakingOf(report.changes).map((c) => [c.location, c.description, c.note]),
        [['/operations/consumeWidgetCreated', '[Removed] consumeWidgetCreated', undefined]],
      );
    });

    it('@asyncapi/diff 0.5.0 leaves every change inside a payload unclassified (why the gate classifies message schemas itself)', async () => {
      const released = await parseAsyncApi(await readFile(fixturePath('asyncapi', 'released'), 'utf8'), 'released');
      for (const variant of ['remove-field', 'add-optional-field']) {
        const current = await parseAsyncApi(await readFile(fixturePath('asyncapi', variant), 'utf8'), variant);
        const payloadChanges = (asyncApiDiff(released, current, { outputType: 'json' }).getOutput() as JSONOutput).changes.filter((c) =>
          c.path.startsWith('/channels/widgetCreated/messages/widgetCreated/payload/'),
        );
        assert.ok(payloadChanges.length > 0, `${variant}: @asyncapi/diff sees the payload change`);
        assert.deepEqual(new Set(payloadChanges.map((c) => c.type)), new Set(['unclassified']), variant);
      }
    });
  });

  describe('the real contracts', () => {
    it('pass against specs/released, and docs/API-CHANGELOG.md is what contracts:check writes', async () => {
      const reports = await checkContracts();
      assert.deepEqual(
        reports.map((r) => [r.file, r.verdict.passed]),
        CONTRACTS.map((c) => [c.file, true]),
      );
      const committed = await readFile(DEFAULT_PATHS.changelogPath, 'utf8');
      assert.equal(updateChangelog(committed, reports), committed, 'docs/API-CHANGELOG.md is stale: run npm run contracts:check');
    });

    it('bank API: removing Bank.name is breaking (10 places), an optional BankCreate field is not', async () => {
      const source = path.join(DEFAULT_PATHS.releasedDir, 'bank.openapi.yaml');
      const bank = CONTRACTS.find((c) => c.file === 'bank.openapi.yaml')!;
      const removed = await writeEdited(source, dir, 'bank-remove-name', (d) => {
        delete d.components.schemas.Bank.properties.name;
        d.components.schemas.Bank.required = ['id'];
      });
      const removal = await checkContract(bank, source, removed);
      assert.equal(removal.verdict.passed, false);
      const locations = new Set(breakingOf(removal.changes).map((c) => c.location));
      assert.deepEqual([...locations].sort(), ['DELETE /api/banks/{id}', 'GET /api/banks', 'GET /api/banks/{id}', 'POST /api/banks', 'PUT /api/banks/{id}']);

      const added = await writeEdited(source, dir, 'bank-add-country', (d) => {
        d.components.schemas.BankCreate.properties.country = { type: 'string', minLength: 2, maxLength: 2 };
      });
      const addition = await checkContract(bank, source, added);
      assert.equal(addition.verdict.passed, true);
      assert.deepEqual(
        addition.changes.map((c) => [c.level, c.location, c.description]),
        [['non-breaking', 'POST /api/banks', '[Added] property `country` in Request Body content (application/json)']],
      );
    });

    it('events: removing a bank.created payload field is breaking, an optional one is not', async () => {
      const source = path.join(DEFAULT_PATHS.releasedDir, 'events.asyncapi.yaml');
      const events = CONTRACTS.find((c) => c.file === 'events.asyncapi.yaml')!;
      const removed = await writeEdited(source, dir, 'events-remove-name', (d) => {
        delete d.components.schemas.BankCreatedData.properties.name;
        d.components.schemas.BankCreatedData.required = ['id'];
      });
      const removal = await checkContract(events, source, removed);
      assert.equal(removal.verdict.passed, false);
      assert.deepEqual(
        breakingOf(removal.changes).map((c) => [c.location, c.pointer]),
        [['message bankCreated payload', 'properties/data/properties/name']],
      );

      const added = await writeEdited(source, dir, 'events-add-country', (d) => {
        d.components.schemas.BankCreatedData.properties.country = { type: 'string' };
      });
      const addition = await checkContract(events, source, added);
      assert.equal(addition.verdict.passed, true);
      assert.deepEqual(
        addition.changes.map((c) => [c.level, c.location, c.description]),
        [['non-breaking', 'message bankCreated payload', '[Added] property `country` to `data`']],
      );
    });
  });

  describe('the changelog file', () => {
    it('replaces the Unreleased section and keeps the Released ones', async () => {
      const file = path.join(dir, 'API-CHANGELOG.md');
      const released = await check('openapi', 'add-optional-field');
      const first = await writeChangelog(file, [released]);
      assert.match(first, /^## Unreleased\n\n### Widget API/m);
      const withHistory = `${first}### 2026-01-01: Widget API 1.0.0\n\n- an old entry\n`;
      await writeFile(file, withHistory);
      const removal = await check('openapi', 'remove-field');
      const second = await writeChangelog(file, [removal]);
      assert.equal(second, await readFile(file, 'utf8'));
      assert.match(second, /\*\*Blocked by the gate\*\*/);
      assert.doesNotMatch(second, /property `colour`/);
      assert.match(second, /## Released\n\n### 2026-01-01: Widget API 1\.0\.0\n\n- an old entry\n$/);
    });
  });
});
