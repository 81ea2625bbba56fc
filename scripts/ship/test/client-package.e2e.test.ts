/**
 * @contract-bank/client as someone outside this repository gets it: compiled from generated/client
 * (as `npm run build` does), `npm pack`ed, installed from the tarball into an empty project in a
 * temporary folder, then used by a plain Node ESM script and by a strict TypeScript consumer
 * (`tsc` must accept it, including a @ts-expect-error on an undeclared status) against the embedded
 * system: log in, create a client, list cards, tell a 403 from a 400 by type.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmbedded, type EmbeddedSystem } from '../../dev.ts';
import { freePort } from '@bank/testkit';

const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const CLIENT = join(ROOT, 'generated/client');
const FIXTURES = fileURLToPath(new URL('./fixtures/client-consumer/', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** Run a command; on failure the error names it and carries its output. */
async function sh(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env: { ...process.env, NODE_OPTIONS: '', ...env }, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

describe('@contract-bank/client from the outside (npm pack → install → Node and tsc consumers)', function () {
  this.timeout(180_000);
  let work: string;
  let consumer: string;
  let pack: PackResult;
  let system: EmbeddedSystem;
  let env: Record<string, string>;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'client-package-'));
    // the package as `npm run build` leaves it: manifest, README and dist/ compiled from src/
    const staged = join(work, 'package');
    await mkdir(staged);
    for (const file of ['package.json', 'README.md']) await cp(join(CLIENT, file), join(staged, file));
    await sh(process.execPath, [TSC, '-p', join(CLIENT, 'tsconfig.build.json'), '--outDir', join(staged, 'dist')], ROOT);
    const [packed] = JSON.parse(await sh('npm', ['pack', '--json', '--pack-destination', work], staged)) as PackResult[];
    assert.ok(packed, 'npm pack reports the tarball');
    pack = packed;

    consumer = join(work, 'consumer');
    await mkdir(consumer);
    await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'client-consumer', private: true, type: 'module' }));
    await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, pack.filename)], consumer);
    for (const file of ['consumer.mjs', 'consumer.ts', 'tsconfig.json']) await cp(join(FIXTURES, file), join(consumer, file));

    const ports = { BANK_PORT: await freePort(), LOG_PORT: await freePort(), EMAIL_PORT: await freePort(), CATCHER_SMTP_PORT: await freePort(), CATCHER_HTTP_PORT: await freePort() };
    system = await startEmbedded(
      { ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), DEV_DATA_DIR: join(work, 'data'), LOG_LEVEL: 'silent' },
      { announce: () => {} },
    );
    env = { BANK_URL: system.urls.bank, LOG_URL: system.urls.log };
  });

  after(async () => {
    await system?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs only the compiled ESM, its declarations, the README and the manifest', () => {
    const paths = pack.files.map((f) => f.path).sort();
    assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts') && paths.includes('README.md'), paths.join(', '));
    assert.deepEqual(
      paths.filter((p) => !/^dist\/.+\.(js|d\.ts)$/.test(p)),
      ['README.md', 'package.json'],
    );
    console.log(`      tarball ${pack.filename}: ${(pack.size / 1024).toFixed(1)} kB (${(pack.unpackedSize / 1024).toFixed(1)} kB unpacked, ${paths.length} files)`);
  });

  it('installs with openapi-fetch as its only dependency (nothing of the server side)', async () => {
    const installed = JSON.parse(await readFile(join(consumer, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const names = Object.keys(installed.packages).map((path) => path.replace(/^.*node_modules\//, ''));
    assert.deepEqual(names.filter((n) => n !== '@contract-bank/client').sort(), ['openapi-fetch', 'openapi-typescript-helpers']);
    const manifest = JSON.parse(await readFile(join(consumer, 'node_modules/@contract-bank/client/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    assert.deepEqual(Object.keys(manifest.dependencies), ['openapi-fetch']);
    assert.deepEqual((await readdir(join(consumer, 'node_modules'))).sort(), ['.package-lock.json', '@contract-bank', 'openapi-fetch', 'openapi-typescript-helpers']);
    console.log(`      installed: @contract-bank/client + ${names.length - 1} dependencies (${names.filter((n) => n !== '@contract-bank/client').join(', ')})`);
  });

  it('runs under plain Node (ESM): logs in, creates a client and a card, lists cards, tells 403 from 400', async () => {
    const out = JSON.parse(await sh(process.execPath, ['consumer.mjs'], consumer, env)) as Record<string, unknown>;
    assert.deepEqual(out, {
      bank: 201,
      cards: { status: 200, total: 1, balances: [0] },
      forbidden: { status: 403, msg: 'Access denied' },
      invalid: { status: 400, paths: ['/body/name'] },
      loginError: 401,
      logs: 200,
    });
  });

  it('type-checks a strict TypeScript consumer (status unions discriminate) and runs its output', async () => {
    await sh(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.json'], consumer);
    await sh(process.execPath, [TSC, '-p', 'tsconfig.json', '--noCheck'], consumer); // emit only: checked just above
    const out = JSON.parse(await sh(process.execPath, ['out/consumer.js'], consumer, env)) as Record<string, unknown>;
    assert.deepEqual(out, {
      created: 'created bank 2 "Typed Bank"',
      invalid: 'invalid: /body/name',
      forbidden: 'forbidden: Access denied',
      forbiddenIsForbidden: true,
      invalidIsForbidden: false,
      cards: 1,
    });
  });

  it('is refused by tsc when a consumer reads a body field the status does not have', async () => {
    const broken = join(consumer, 'broken.ts');
    await writeFile(
      broken,
      [
        "import { createBankApiClient, outcome } from '@contract-bank/client';",
        "const r = outcome(await createBankApiClient({ baseUrl: 'http://localhost:5000' }).POST('/api/banks', { body: { name: 'x' } }));",
        'if (r.status === 403) console.log(r.body.item.id);',
        '',
      ].join('\n'),
    );
    await writeFile(join(consumer, 'tsconfig.broken.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { skipLibCheck: true }, files: [broken] }));
    await assert.rejects(
      sh(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.broken.json'], consumer),
      /broken\.ts\(3,[0-9]+\): error TS2339: Property 'item' does not exist/,
    );
  });
});
