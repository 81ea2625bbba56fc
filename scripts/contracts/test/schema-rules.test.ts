import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import type { ContractChange } from '../contract-change.ts';
import { diffOpenApi } from '../openapi-diff.ts';
import { compareTypes } from '../schema-rules.ts';
import { fixturePath, type YamlDocument } from './fixtures.ts';

/** The released OpenAPI fixture and a copy changed by `edit`, diffed. */
async function diffEdited(edit: (document: YamlDocument) => void): Promise<ContractChange[]> {
  const released = parse(await readFile(fixturePath('openapi', 'released'), 'utf8')) as YamlDocument;
  const current = structuredClone(released);
  edit(current);
  return diffOpenApi(released, current);
}

const summary = (changes: readonly ContractChange[]) => changes.map((c) => `${c.level} ${c.location} ${c.pointer}`);

describe('breaking-change gate: schema rules on top of api-smart-diff', () => {
  describe('compareTypes (JSON Schema type sets)', () => {
    it('sees adding "null" as widening and dropping it as narrowing', () => {
      assert.deepEqual(compareTypes('string', ['string', 'null']), { narrows: false, widens: true });
      assert.deepEqual(compareTypes(['string', 'null'], 'string'), { narrows: true, widens: false });
      assert.deepEqual(compareTypes(['string', 'null'], ['null', 'string']), { narrows: false, widens: false });
    });

    it('counts integer as part of number, and a missing type as any type', () => {
      assert.deepEqual(compareTypes('integer', 'number'), { narrows: false, widens: true });
      assert.deepEqual(compareTypes('number', 'integer'), { narrows: true, widens: false });
      assert.deepEqual(compareTypes(undefined, 'string'), { narrows: true, widens: false });
      assert.deepEqual(compareTypes('string', 'integer'), { narrows: true, widens: true });
    });
  });

  describe('OpenAPI 3.1 `type: [..., "null"]`', () => {
    it('a response field that may now be null is breaking (api-smart-diff alone calls it non-breaking)', async () => {
      const changes = await diffEdited((d) => {
        d.components.schemas.Widget.properties.name.type = ['string', 'null'];
      });
      assert.deepEqual(summary(changes), [
        'breaking POST /api/widgets responses/201/content/application/json/schema/properties/name/type',
        'breaking GET /api/widgets/{id} responses/200/content/application/json/schema/properties/name/type',
      ]);
      assert.equal(changes[0]?.note, 'the types a client may receive widened');
    });

    it('a response field that can no longer be null is not breaking', async () => {
      const changes = await diffEdited((d) => {
        d.components.schemas.Widget.properties.note.type = 'string';
      });
      assert.deepEqual(new Set(changes.map((c) => c.level)), new Set(['non-breaking']));
      assert.equal(changes.length, 2);
    });

    it('a request field that now accepts null is not breaking (api-smart-diff alone calls it breaking)', async () => {
      const changes = await diffEdited((d) => {
        d.components.schemas.WidgetCreate.properties.name.type = ['string', 'null'];
      });
      assert.deepEqual(summary(changes), ['non-breaking POST /api/widgets requestBody/content/application/json/schema/properties/name/type']);
      assert.equal(changes[0]?.note, 'the accepted types widened');
    });

    it('a request field that no longer accepts null is breaking', async () => {
      const changes = await diffEdited((d) => {
        d.components.schemas.WidgetCreate.properties.note.type = 'string';
      });
      assert.deepEqual(summary(changes), ['breaking POST /api/widgets requestBody/content/application/json/schema/properties/note/type']);
    });

    it('a property named `type` is a property, not a schema type', async () => {
      const changes = await diffEdited((d) => {
        d.components.schemas.WidgetCreate.properties.type = { type: 'string' };
      });
      assert.deepEqual(summary(changes), ['non-breaking POST /api/widgets requestBody/content/application/json/schema/properties/type']);
    });
  });

  describe('closed request schemas', () => {
    it('removing a request property is breaking where the schema has additionalProperties: false', async () => {
      const changes = await diffEdited((d) => {
        delete d.components.schemas.WidgetCreate.properties.note;
      });
      assert.deepEqual(summary(changes), ['breaking POST /api/widgets requestBody/content/application/json/schema/properties/note']);
      assert.match(changes[0]?.note ?? '', /additionalProperties: false/);
    });

    it('and not breaking where the schema accepts unknown properties', async () => {
      const changes = await diffEdited((d) => {
        delete d.components.schemas.WidgetCreate.additionalProperties;
        delete d.components.schemas.WidgetCreate.properties.note;
      });
      const removal = changes.find((c) => c.pointer.endsWith('properties/note'));
      assert.equal(removal?.level, 'non-breaking');
    });
  });

  it('reports documentation changes (servers, examples, parameter examples) as documentation only', async () => {
    const released = parse(await readFile(fixturePath('openapi', 'released'), 'utf8')) as YamlDocument;
    released.paths['/api/widgets'].post.requestBody.content['application/json'].examples = { default: { value: { name: 'Red widget' } } };
    const current = structuredClone(released);
    current.servers = [{ url: '/', description: 'The host serving this document' }];
    current.paths['/api/widgets'].post.requestBody.content['application/json'].examples.default = { summary: 'A widget', value: { name: 'Blue widget' } };
    current.paths['/api/widgets/{id}'].get.parameters[0].example = 1;
    const changes = diffOpenApi(released, current);
    assert.deepEqual(
      changes.map((c) => `${c.level} ${c.location} ${c.pointer}`),
      [
        'annotation servers 0/description',
        'annotation POST /api/widgets requestBody/content/application/json/examples/default/value/name',
        'annotation POST /api/widgets requestBody/content/application/json/examples/default/summary',
        'annotation GET /api/widgets/{id} parameters/0/example',
      ],
    );
  });
});
