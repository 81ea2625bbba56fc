// The comparison key of a unique name (roles, social statuses, cities, banks).
//
// Both engines store the name as written and a `name_key` column beside it that carries the UNIQUE
// index and every equality / LIKE filter. The key is computed here, in JavaScript, so SQLite
// (whose NOCASE and lower() fold ASCII only) and MariaDB (whose *_unicode_ci collations also fold
// accents) compare names identically: case-insensitive for every script, accent-sensitive
// ('Zürich' ≠ 'Zurich', 'Zürich' = 'ZÜRICH'). On MariaDB the column is utf8mb4_bin, so the
// database adds no folding of its own. The name itself is stored in NFC (storedName).

/**
 * The value stored in `name_key`: NFC, Unicode lower case (locale-independent), NFC again (lower-
 * casing a decomposed letter such as the `Η͂` of 'ἈΘΗ͂ΝΑΙ', the upper case of 'Ἀθῆναι', can leave a
 * sequence that composes).
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/**
 * A name as stored: Unicode NFC, so a decomposed spelling (`Zu\u0308rich`) and a composed one
 * (`Zürich`) are the same text in the database and in every answer. NFC can lengthen a letter up to
 * three times (U+FB2C → three code points), so the name columns are three times the spec's
 * maxLength wide (migration 20261201000200), like `name_key`.
 */
export function storedName(name: string): string {
  return name.normalize('NFC');
}

/** The row to write for a name: the name in NFC plus its key. */
export function nameColumns(name: string): { name: string; name_key: string } {
  const stored = storedName(name);
  return { name: stored, name_key: nameKey(stored) };
}

/** Whether two names are the same name (what the unique index decides). */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}
