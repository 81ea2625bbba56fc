/**
 * The file behind a `sqlite:` URL: `sqlite:./data/logs.sqlite` (relative to the working directory),
 * `sqlite:/abs/path.sqlite`, `sqlite:///abs/path.sqlite`, or `sqlite::memory:`.
 */
export function sqliteFileFromUrl(url: string): string {
  if (!url.startsWith('sqlite:')) throw new Error(`Not a sqlite: URL: ${url}`);
  let rest = url.slice('sqlite:'.length);
  if (rest.startsWith('//')) rest = rest.slice(2);
  if (rest === '') throw new Error(`sqlite: URL without a file: ${url}`);
  return rest;
}
