// Fixture contracts of the breaking-change gate tests.
//
//   fixturePath('openapi' | 'asyncapi', name)   scripts/contracts/test/fixtures/<kind>/<name>.yaml
//     released            the "released" contract (version 1.0.0)
//     remove-field        a field removed (response Widget.name / payload name), version kept
//     remove-field-major  (openapi) the same with info.version 2.0.0
//     add-optional-field  an optional `colour` added, version 1.1.0
//   writeEdited(source, dir, name, edit)  a contract file, parsed, edited and written to dir/<name>.yaml
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import type { Contract } from '../contracts.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

export type FixtureKind = 'openapi' | 'asyncapi';

/** A parsed YAML document, edited freely by tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type YamlDocument = Record<string, any>;

export function fixturePath(kind: FixtureKind, name: string): string {
  return path.join(here, 'fixtures', kind, `${name}.yaml`);
}

export function fixtureContract(kind: FixtureKind): Contract {
  return { file: `widget.${kind}.yaml`, kind };
}

/** Parse `source`, edit it and write it to `<dir>/<name>.yaml`; answers that path. */
export async function writeEdited(source: string, dir: string, name: string, edit: (document: YamlDocument) => void): Promise<string> {
  const document = parse(await readFile(source, 'utf8')) as YamlDocument;
  edit(document);
  const target = path.join(dir, `${name}.yaml`);
  await writeFile(target, stringify(document));
  return target;
}
