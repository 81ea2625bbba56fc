/**
 * Validates specs/events.asyncapi.yaml with @asyncapi/parser (schema + spectral rules).
 * Prints every diagnostic; exits 1 when any has error severity.
 *
 *   npx tsx scripts/codegen/validate-asyncapi.ts [path]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const here = path.dirname(fileURLToPath(import.meta.url));
export const eventsSpecPath = path.resolve(here, '../../specs/events.asyncapi.yaml');

export interface SpecDiagnostic {
  severity: 'error' | 'warning' | 'information' | 'hint';
  code: string;
  message: string;
  /** JSON path inside the document, e.g. `channels.accountCreated.bindings`. */
  path: string;
  /** 1-based line of the start of the range. */
  line: number;
}

const severityNames: Record<DiagnosticSeverity, SpecDiagnostic['severity']> = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'information',
  [DiagnosticSeverity.Hint]: 'hint',
};

/** One parser for every validation: a new one compiles its JSON-schema validators again. */
let parser: Parser | undefined;

/** Validate an AsyncAPI document; returns its diagnostics (errors first, then by line). */
export async function validateAsyncApi(specPath: string = eventsSpecPath): Promise<SpecDiagnostic[]> {
  const source = await readFile(specPath, 'utf8');
  parser ??= new Parser();
  const diagnostics = await parser.validate(source, { source: specPath });
  return diagnostics
    .map(
      (d): SpecDiagnostic => ({
        severity: severityNames[d.severity],
        code: String(d.code),
        message: d.message,
        path: d.path.join('.'),
        line: d.range.start.line + 1,
      }),
    )
    .sort((a, b) => rank(a) - rank(b) || a.line - b.line);
}

function rank(d: SpecDiagnostic): number {
  return ['error', 'warning', 'information', 'hint'].indexOf(d.severity);
}

async function main(): Promise<void> {
  const specPath = path.resolve(process.argv[2] ?? eventsSpecPath);
  const diagnostics = await validateAsyncApi(specPath);
  for (const d of diagnostics) {
    console.log(`${path.relative(process.cwd(), specPath)}:${d.line} ${d.severity} ${d.code}: ${d.message}${d.path ? ` (${d.path})` : ''}`);
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  console.log(`${path.relative(process.cwd(), specPath)}: ${errors} error(s), ${warnings} warning(s)`);
  process.exitCode = errors > 0 ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
