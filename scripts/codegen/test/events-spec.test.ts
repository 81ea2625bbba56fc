import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { eventsOutputPath, generateEvents } from '../gen-events.ts';
import { eventsSpecPath, validateAsyncApi } from '../validate-asyncapi.ts';
import * as events from '@bank/events';
import type { Validator } from '../../../platform/src/events/typed-messages.ts';

interface SpecExample {
  name: string;
  headers?: Record<string, unknown>;
  payload: unknown;
}
interface SpecMessage {
  payload: { $ref: string };
  headers?: { $ref: string };
  examples: SpecExample[];
}
interface Spec {
  components: { messages: Record<string, SpecMessage> };
}

const spec = parse(await readFile(eventsSpecPath, 'utf8')) as Spec;

/** The generated validator of a component schema named by a `$ref`. */
function validatorFor(ref: string): Validator<unknown> {
  const name = ref.split('/').pop() ?? '';
  const validator = (events as unknown as Record<string, unknown>)[`validate${name}`];
  assert.equal(typeof validator, 'function', `generated validate${name} exists`);
  return validator as Validator<unknown>;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

const accountCreated: events.AccountCreated = {
  user_id: 1,
  date: '2025-01-16T17:10:26Z',
  message: 'Account created with ID: 7',
  data: { id: 7, client_id: 3, bank_id: 1, balance: 0 },
};

describe('events.asyncapi.yaml', function () {
  this.timeout(30_000);

  it('validates with @asyncapi/parser without error diagnostics', async () => {
    const diagnostics = await validateAsyncApi();
    const errors = diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, []);
  });

  it('reports an error diagnostic for a broken document', async () => {
    const source = (await readFile(eventsSpecPath, 'utf8')).replace('action: receive', 'action: listen');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'events-spec-'));
    try {
      const broken = path.join(dir, 'broken.yaml');
      await writeFile(broken, source);
      const diagnostics = await validateAsyncApi(broken);
      assert.ok(diagnostics.some((d) => d.severity === 'error' && d.path.startsWith('operations.consumeLogServiceQueue')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('generated validators', () => {
    const messages = Object.entries(spec.components.messages);

    it('has examples for every message', () => {
      assert.deepEqual(
        messages.map(([id]) => id),
        ['accountCreated', 'bankCreated', 'clientCreated', 'cardCreated', 'bankCreatedReply'],
      );
      for (const [id, message] of messages) assert.ok(message.examples.length > 0, `${id} has an example`);
    });

    for (const [id, message] of Object.entries(spec.components.messages)) {
      it(`accepts the spec's ${id} example payload and headers`, () => {
        for (const example of message.examples) {
          const result = validatorFor(message.payload.$ref)(example.payload);
          assert.deepEqual(result, { ok: true, value: example.payload });
          if (message.headers && example.headers) {
            assert.equal(validatorFor(message.headers.$ref)(example.headers).ok, true, `${id} example headers`);
          }
        }
      });
    }

    it('rejects a payload with a bad nested field and names that field', () => {
      const bad = clone(accountCreated);
      bad.data.id = 0;
      const result = events.validateAccountCreated(bad);
      assert.equal(result.ok, false);
      assert.match(result.ok ? '' : result.errors, /^data\.id must be >= 1$/);
    });

    it('names every missing required field and every unknown one', () => {
      const result = events.validateBankCreated({ user_id: 1, date: '2025-01-16T17:10:26Z', data: { id: 2 }, extra: true });
      assert.equal(result.ok, false);
      const errors = result.ok ? '' : result.errors;
      assert.match(errors, /\bmessage is required\b/);
      assert.match(errors, /\bdata\.name is required\b/);
      assert.match(errors, /\bextra is not allowed\b/);
    });

    it('rejects a non-UTC or malformed date, a fractional id, a negative balance and a wrong reply status', () => {
      const offset = { ...clone(accountCreated), date: '2025-01-16T17:10:26+02:00' };
      assert.match(errorsOf(events.validateAccountCreated(offset)), /^date must match pattern/);
      const naive = { ...clone(accountCreated), date: '2025-01-16T17:10:26' };
      assert.match(errorsOf(events.validateAccountCreated(naive)), /\bdate must match format "date-time"/);
      const card = { user_id: 1, date: '2025-01-16T17:10:26Z', message: 'm', data: { id: 1.5, account_id: 7, balance: -1 } };
      const cardErrors = errorsOf(events.validateCardCreated(card));
      assert.match(cardErrors, /\bdata\.id must be integer\b/);
      assert.match(cardErrors, /\bdata\.balance must be >= 0\b/);
      const reply = { status: 'failed', correlation_id: 'c', message_id: 'not-a-uuid', sent_at: '2025-01-16T17:10:27Z' };
      const replyErrors = errorsOf(events.validateBankCreatedReply(reply));
      assert.match(replyErrors, /\bstatus must be equal to constant\b/);
      assert.match(replyErrors, /\bmessage_id must match format "uuid"/);
    });

    it('offers type guards and a validator per message type', () => {
      assert.equal(events.isAccountCreated(accountCreated), true);
      assert.equal(events.isAccountCreated({ ...accountCreated, user_id: '1' }), false);
      assert.equal(events.validatorsByMessageType['account.created'], events.validateAccountCreated);
      assert.equal(events.validatorsByMessageType['bank.created.reply'], events.validateBankCreatedReply);
    });
  });

  describe('generation', () => {
    it('is deterministic and matches the committed generated/events', async () => {
      const dirs = [await mkdtemp(path.join(os.tmpdir(), 'events-a-')), await mkdtemp(path.join(os.tmpdir(), 'events-b-'))];
      try {
        const [first, second] = [await generateEvents({ outputDir: dirs[0] }), await generateEvents({ outputDir: dirs[1] })];
        const names = (files: string[]) => files.map((f) => path.basename(f));
        const expected = ['index.ts', 'operations.ts', 'schemas.ts', 'topology.ts', 'types.ts', 'validators.ts'];
        assert.deepEqual(names(first), expected);
        assert.deepEqual(names(second), expected);
        const committedFiles = (await readdir(eventsOutputPath, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
        assert.deepEqual(committedFiles.sort(), expected); // docs/ (the rendered page) comes from gen-events-docs.ts
        for (const name of expected) {
          const a = await readFile(path.join(dirs[0]!, name));
          const b = await readFile(path.join(dirs[1]!, name));
          const committed = await readFile(path.join(eventsOutputPath, name));
          assert.ok(a.equals(b), `${name} is byte-identical across runs`);
          assert.ok(a.equals(committed), `generated/events/${name} is up to date (run make gen)`);
          assert.ok(a.toString('utf8').startsWith('// DO NOT EDIT — generated by `make gen` from specs/events.asyncapi.yaml\n'));
        }
      } finally {
        for (const dir of dirs) await rm(dir!, { recursive: true, force: true });
      }
    });

    it('removes a file the template no longer produces from the output folder', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'events-stale-'));
      try {
        await writeFile(path.join(dir, 'publishers.ts'), '// stale\n');
        await generateEvents({ outputDir: dir });
        assert.equal((await readdir(dir)).includes('publishers.ts'), false);
        assert.equal((await readdir(dir)).includes('operations.ts'), true);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

function errorsOf(result: { ok: true } | { ok: false; errors: string }): string {
  assert.equal(result.ok, false, 'expected the value to be rejected');
  return result.ok ? '' : result.errors;
}
