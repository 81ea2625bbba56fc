import type { Knex } from 'knex';

// Names are stored in Unicode NFC (src/repositories/name-key.ts), so a decomposed and a composed
// spelling are one text everywhere. NFC can lengthen a letter up to three times (U+FB2C → three
// code points; UAX #15 bounds NFC's expansion at ×3), so a name of 50 code points as sent may be
// 150 once normalised: the name columns widen to three times the spec's maxLength, as `name_key`
// already is. SQLite does not enforce VARCHAR lengths; MariaDB/MySQL columns keep their character
// set and collation. Names already stored are rewritten in NFC.

const NAMED = ['roles', 'social_statuses', 'cities', 'banks'] as const;
const WIDTHS: Record<string, { before: number; after: number }> = {
  roles: { before: 50, after: 150 },
  social_statuses: { before: 50, after: 150 },
  cities: { before: 50, after: 150 },
  banks: { before: 50, after: 150 },
  clients: { before: 100, after: 300 },
};

function isMysql(knex: Knex): boolean {
  const client = (knex.client as { config: Knex.Config }).config.client;
  return client === 'mysql2' || client === 'mysql';
}

async function resizeNames(knex: Knex, width: (table: string) => number): Promise<void> {
  if (!isMysql(knex)) return;
  for (const table of Object.keys(WIDTHS)) {
    const column = (await knex('information_schema.COLUMNS')
      .where({ TABLE_SCHEMA: knex.raw('database()'), TABLE_NAME: table, COLUMN_NAME: 'name' })
      .first('CHARACTER_SET_NAME as charset', 'COLLATION_NAME as collation')) as { charset: string; collation: string };
    await knex.raw(`ALTER TABLE ?? MODIFY ?? VARCHAR(${width(table)}) CHARACTER SET ${column.charset} COLLATE ${column.collation} NOT NULL`, [table, 'name']);
  }
}

export async function up(knex: Knex): Promise<void> {
  await resizeNames(knex, (table) => WIDTHS[table]!.after);
  for (const table of [...NAMED, 'clients']) {
    const rows = (await knex(table).select('id', 'name')) as Array<{ id: number; name: string }>;
    for (const row of rows) {
      const nfc = row.name.normalize('NFC');
      if (nfc !== row.name) await knex(table).where({ id: row.id }).update({ name: nfc });
    }
  }
}

export async function down(knex: Knex): Promise<void> {
  // Fails where a stored name is longer than the old width: shorten those first.
  await resizeNames(knex, (table) => WIDTHS[table]!.before);
}
