/**
 * The import rules of ARCHITECTURE.md as ESLint `no-restricted-imports` blocks (eslint.config.js
 * spreads them in; scripts/lint/test/import-rules.test.ts proves them on fixture files):
 *
 * - a service imports generated packages, @bank/platform, @bank/platform-http (email-service only its
 *   docs, `@bank/platform-http/docs`: it binds its API through the generated @bank/email-api)
 *   and its own files — never another service, never scripts/; only its tests may import the test kit;
 * - platform and platform-http import no generated code and no service (platform not platform-http);
 * - generated packages import @bank/platform* only (and the server packages the client's types);
 *   the client, which is published, imports nothing of ours;
 * - scripts/dev.ts composes the services only through their wiring modules;
 * - the test kit imports none of what it tests (platform, generated packages, services), so the
 *   tests of every package can use it without a cycle.
 *
 * Workspaces meet through their package names; a relative path into another top-level folder
 * (`../../log-service/src/app.ts`) is refused like the package name would be.
 */

const SERVICES = ['bank-service', 'log-service', 'email-service'];
/** Top-level folders a relative import could climb into. Add new workspaces here. */
const TOP_LEVEL = ['platform', 'platform-http', 'generated', 'testkit', 'scripts', ...SERVICES];
const GENERATED_PACKAGES = ['@bank/events', '@bank/bank-api', '@bank/log-api', '@bank/email-api', '@contract-bank/client'];

const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const anyOf = (names) => `(?:${names.map(escape).join('|')})`;

/** A bare import of one of these packages (or a subpath of it). */
const packages = (names, message) => ({ regex: `^${anyOf(names)}(?:/|$)`, message });
/** A relative import that climbs into one of these top-level folders. */
const climbsInto = (folders, message) => ({ regex: `^(?:\\.\\./)+${anyOf(folders)}(?:/|$)`, message });

const otherServices = (self) => SERVICES.filter((name) => name !== self);
const TESTKIT = ['@bank/testkit'];

function serviceRules(self, { tests }) {
  const patterns = [
    packages(otherServices(self), `${self} must not import another service: services meet only through specs/ (generated clients, publishers, consumers).`),
    climbsInto(otherServices(self), `${self} must not import another service: services meet only through specs/ (generated clients, publishers, consumers).`),
    climbsInto(
      TOP_LEVEL.filter((name) => !SERVICES.includes(name)),
      `${self} imports other workspaces by package name (@bank/platform, @bank/events, …), never by a relative path; scripts/ is not importable.`,
    ),
  ];
  if (self === 'email-service') {
    // its Swagger UI (`@bank/platform-http/docs`) is mounted like log-service's; the binding is not
    patterns.push({
      regex: '^@bank/platform-http(?!/docs$)(?:/|$)',
      message: 'email-service binds its OpenAPI only through the generated @bank/email-api: of @bank/platform-http it uses only the docs (`@bank/platform-http/docs`).',
    });
  }
  if (!tests) patterns.push(packages(TESTKIT, `the test kit is for tests: ${self}/src must not import it.`));
  return patterns;
}

const PLATFORM_RULES = [
  packages(SERVICES, 'platform code must not import a service.'),
  packages(GENERATED_PACKAGES, 'platform code must not import generated code: generated code imports platform, not the other way round.'),
  climbsInto(
    TOP_LEVEL.filter((name) => name !== 'platform' && name !== 'platform-http'),
    'platform code must not import a service, generated code or scripts/.',
  ),
];

const GENERATED_RULES = [
  packages(SERVICES, 'generated code must not import a service.'),
  packages(['@bank/testkit'], 'generated code must not import the test kit.'),
  climbsInto(TOP_LEVEL, 'generated code imports other workspaces by package name only.'),
  { regex: `^\\.\\./\\.\\./(?:\\.\\./)*${anyOf(['client', 'events', 'bank-api', 'log-api', 'email-api'])}/`, message: 'generated code imports other generated packages by package name only.' },
];

const CLIENT_RULES = [
  { regex: '^@bank/', message: 'the published client (@contract-bank/client) must not import anything of ours: its only dependency is openapi-fetch.' },
  packages(SERVICES, 'the published client must not import a service.'),
  climbsInto(TOP_LEVEL, 'the published client must not import anything of ours: its only dependency is openapi-fetch.'),
  { regex: `^\\.\\./\\.\\./(?:\\.\\./)*${anyOf(['events', 'bank-api', 'log-api', 'email-api'])}/`, message: 'the published client must not import the server-side generated packages.' },
];

const TESTKIT_RULES = [
  packages(
    [...SERVICES, ...GENERATED_PACKAGES, '@bank/platform', '@bank/platform-http'],
    'the test kit must not import what it tests (platform, generated packages, services): every package\'s tests use it.',
  ),
  climbsInto(TOP_LEVEL.filter((name) => name !== 'testkit'), 'the test kit must not import what it tests, by package name or by path.'),
];

const DEV_RUNNER_RULES = [
  {
    regex: `^(?:\\.\\./)+${anyOf(SERVICES)}/(?!src/wiring\\.ts$)`,
    message: 'scripts/dev.ts composes the services only through their wiring modules (<service>/src/wiring.ts).',
  },
];

const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** Flat-config blocks; `parser` parses TypeScript in generated/, which is not linted otherwise. */
export function importRules(parser) {
  return [
    { files: ['platform/**/*.ts', 'platform-http/**/*.ts'], rules: restrict(PLATFORM_RULES) },
    ...SERVICES.flatMap((self) => [
      { files: [`${self}/**/*.ts`], rules: restrict(serviceRules(self, { tests: false })) },
      { files: [`${self}/test/**/*.ts`], rules: restrict(serviceRules(self, { tests: true })) },
    ]),
    {
      files: ['generated/**/*.ts'],
      ignores: ['generated/client/**'],
      languageOptions: { parser },
      rules: restrict(GENERATED_RULES),
    },
    {
      files: ['generated/client/**/*.ts'],
      languageOptions: { parser },
      rules: restrict(CLIENT_RULES),
    },
    { files: ['testkit/**/*.ts'], rules: restrict(TESTKIT_RULES) },
    { files: ['scripts/dev.ts'], rules: restrict(DEV_RUNNER_RULES) },
  ];
}
