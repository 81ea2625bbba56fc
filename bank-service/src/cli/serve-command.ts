/** `serve`: hand the process to src/main.ts (config, sockets, signals), resolved at run time. */
export async function runServeCommand(): Promise<void> {
  const entry = new URL('../main.ts', import.meta.url).href;
  const mod = (await import(entry)) as { main?: () => Promise<void> };
  if (typeof mod.main !== 'function') throw new Error('src/main.ts does not export main()');
  await mod.main();
}
