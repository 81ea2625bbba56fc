/**
 * ARCHITECTURE.md's import rules are enforced by `npm run lint` (eslint.config.js, rules in
 * scripts/lint/import-rules.js): each fixture file is linted through ESLint's Node API as if it
 * lived at the given path, with the repository's own configuration.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const fixture = (name: string) => readFile(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');

interface Finding {
  line: number;
  message: string;
}

async function lintAs(fixtureName: string, filePath: string): Promise<Finding[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(await fixture(fixtureName), { filePath: resolve(ROOT, filePath) });
  assert.ok(result, 'ESLint returned a result');
  assert.equal(result.filePath, resolve(ROOT, filePath));
  return result.messages.map((m) => {
    assert.equal(m.ruleId, 'no-restricted-imports', `only import-rule errors expected, got ${m.ruleId}: ${m.message}`);
    assert.equal(m.severity, 2);
    return { line: m.line, message: m.message };
  });
}

describe('import rules (ESLint, ARCHITECTURE.md)', function () {
  this.timeout(60_000);

  it('refuses a service importing another service, by relative path and by package name', async () => {
    const findings = await lintAs('service-imports-service.ts', 'bank-service/src/fixture.ts');
    assert.deepEqual(
      findings.map((f) => f.line),
      [2, 3],
    );
    for (const f of findings) assert.match(f.message, /bank-service must not import another service/);
  });

  it('refuses platform importing a service or generated code', async () => {
    const findings = await lintAs('platform-imports-service.ts', 'platform/src/fixture.ts');
    assert.deepEqual(
      findings.map((f) => [f.line, /must not import (a service|generated code)/.exec(f.message)?.[1]]),
      [
        [2, 'a service'],
        [3, 'generated code'],
        [4, 'generated code'],
      ],
    );
  });

  it('refuses the published client importing any package of ours', async () => {
    const findings = await lintAs('client-imports-platform.ts', 'generated/client/src/fixture.ts');
    assert.deepEqual(findings.map((f) => f.line), [2]);
    assert.match(findings[0]!.message, /must not import anything of ours: its only dependency is openapi-fetch/);
  });

  it('refuses the test kit in service code but allows it in the service tests; email-service gets platform-http\'s docs, not its binding', async () => {
    const src = await lintAs('service-src-imports-testkit.ts', 'email-service/src/fixture.ts');
    assert.deepEqual(
      src.map((f) => [f.line, /pattern\. ([^:]+)/.exec(f.message)?.[1]]),
      [
        [2, 'the test kit is for tests'],
        [3, 'email-service binds its OpenAPI only through the generated @bank/email-api'],
      ],
    );
    const test = await lintAs('service-src-imports-testkit.ts', 'email-service/test/fixture.ts');
    assert.deepEqual(test.map((f) => f.line), [3], 'the test kit is fine in tests; platform-http\'s binding is still not (line 4, the docs, is fine)');
  });

  it('refuses the test kit importing platform, generated packages or a service', async () => {
    const findings = await lintAs('testkit-imports-platform.ts', 'testkit/src/fixture.ts');
    assert.deepEqual(findings.map((f) => f.line), [2, 3, 4]);
    for (const f of findings) assert.match(f.message, /the test kit must not import what it tests/);
  });

  it('lets scripts/dev.ts reach the services only through their wiring modules', async () => {
    const findings = await lintAs('dev-runner-rewires.ts', 'scripts/dev.ts');
    assert.deepEqual(findings.map((f) => f.line), [2]);
    assert.match(findings[0]!.message, /only through their wiring modules/);
  });

  it('passes a service file importing only generated packages, platform, platform-http and its own files', async () => {
    assert.deepEqual(await lintAs('clean-service.ts', 'bank-service/src/fixture.ts'), []);
    assert.deepEqual(await lintAs('clean-service.ts', 'bank-service/test/fixture.ts'), []);
  });
});
