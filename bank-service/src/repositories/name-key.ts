// The comparison key of a unique name (roles, social statuses, cities, banks).
//
// Both engines store the name as written and a `name_key` column beside it that carries the UNIQUE
// index and every equality / LIKE filter. The key is computed here, in JavaScript, so SQLite
// (whose NOCASE and lower() fold ASCII only) and MariaDB (whose *_unicode_ci collations also fold
// accents) compare names identically: case-insensitive for every script, accent-sensitive
// ('Zürich' ≠ 'Zurich', 'Zürich' = 'ZÜRICH'). On MariaDB the column is utf8mb4_bin, so the
// database adds no folding of its own.

/**
 * The value stored in `name_key`: NFC, Unicode lower case (locale-independent), NFC again (lower-
 * casing a decomposed letter such as the `Η͂` of 'ἈΘΗ͂ΝΑΙ', the upper case of 'Ἀθῆναι', can leave a
 * sequence that composes).
 */
export function nameKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}

/** The row to write for a name: the name as given plus its key. */
export function nameColumns(name: string): { name: string; name_key: string } {
  return { name, name_key: nameKey(name) };
}

/** Whether two names are the same name (what the unique index decides). */
export function sameName(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}
