/** `serve`: hand the process to src/main.ts (config, sockets, signals), loaded only for this command. */
export async function runServeCommand(): Promise<void> {
  const { main } = await import('../main.ts');
  await main();
}
