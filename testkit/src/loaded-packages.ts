import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface ServiceStart {
  /** The repository's root (the child's working folder). */
  root: string;
  /** The service's wiring module, relative to the root (`./log-service/src/wiring.ts`). */
  wiring: string;
  /** The names the wiring exports: its config loader and its start function. */
  loadConfig: string;
  start: string;
  /** The settings the config loader gets. */
  env: Record<string, string>;
}

/**
 * Start a service through its wiring (in-memory bus) in a fresh process, from source, and list the
 * npm packages it has loaded once it is up (the CommonJS module cache: the drivers are CommonJS).
 * For tests that prove a configuration loads only what it uses.
 */
export async function packagesLoadedAtStart(service: ServiceStart): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    import { InMemoryBus } from '@bank/platform/events';
    import { ${service.loadConfig} as loadConfig, ${service.start} as start } from ${JSON.stringify(service.wiring)};
    const bus = new InMemoryBus();
    const running = await start(loadConfig(${JSON.stringify(service.env)}), { bus });
    const cache = createRequire(import.meta.url)('module')._cache;
    const names = new Set(Object.keys(cache).flatMap((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1] ?? []));
    await running.stop();
    await bus.close();
    console.log(JSON.stringify([...names]));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=bank-source', '--input-type=module', '-e', script], {
    cwd: service.root,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as string[];
}
