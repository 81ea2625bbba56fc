/**
 * docs/API-CHANGELOG.md: an Unreleased section written from the diff (replaced on every
 * `contracts:check`) above the Released sections (each added by `contracts:release`, then kept).
 */
import type { ChangeLevel, ContractChange } from './contract-change.ts';
import type { GateVerdict } from './version-gate.ts';

export interface ContractReport {
  /** specs/<file> */
  file: string;
  title: string;
  releasedVersion: string;
  currentVersion: string;
  changes: ContractChange[];
  verdict: GateVerdict;
}

const HEADER = `# API changelog

Changes of the contracts in \`specs/\` since their last release (the snapshot in \`specs/released/\`).
Written by \`npm run contracts:check\` from the diff; do not edit it by hand. CI fails when a breaking
change keeps the released major version, and when this file is not what the check writes.
\`npm run contracts:release\` moves the Unreleased section under Released and refreshes the snapshot.
`;

const UNRELEASED = '## Unreleased';
const RELEASED = '## Released';

const sections: { level: ChangeLevel; title: string }[] = [
  { level: 'breaking', title: 'Breaking' },
  { level: 'non-breaking', title: 'Non-breaking' },
  { level: 'deprecated', title: 'Deprecated' },
  { level: 'annotation', title: 'Documentation only' },
];

function changeLine(change: ContractChange): string {
  const where = change.pointer === '' ? `\`${change.location}\`` : `\`${change.location}\` \`${change.pointer}\``;
  return `- ${where}: ${change.description}${change.note ? ` (${change.note})` : ''}`;
}

/** Documentation-only changes, one line per location naming what changed there. */
function documentationLines(changes: readonly ContractChange[]): string[] {
  const byLocation = new Map<string, string[]>();
  for (const c of changes) byLocation.set(c.location, [...(byLocation.get(c.location) ?? []), c.pointer === '' ? c.description : `\`${c.pointer}\``]);
  return [...byLocation].map(([location, what]) => `- \`${location}\`: ${what.join(', ')}`);
}

function contractSection(report: ContractReport, depth: number): string {
  const h = '#'.repeat(depth);
  const version = report.releasedVersion === report.currentVersion ? report.currentVersion : `${report.releasedVersion} → ${report.currentVersion}`;
  const lines = [`${h} ${report.title} (\`specs/${report.file}\`) ${version}`, ''];
  if (report.changes.length === 0) {
    lines.push('No changes.', '');
    return lines.join('\n');
  }
  const breaking = report.changes.some((c) => c.level === 'breaking');
  if (breaking) lines.push(report.verdict.passed ? `Major release: ${report.verdict.reason}.` : `**Blocked by the gate**: ${report.verdict.reason}.`, '');
  for (const { level, title } of sections) {
    const matching = report.changes.filter((c) => c.level === level);
    if (matching.length === 0) continue;
    lines.push(`${h}# ${title} (${matching.length})`, '', ...(level === 'annotation' ? documentationLines(matching) : matching.map(changeLine)), '');
  }
  return lines.join('\n');
}

/** The Unreleased section's body for these reports. */
export function renderUnreleased(reports: readonly ContractReport[]): string {
  return reports.map((r) => contractSection(r, 3)).join('\n');
}

interface ChangelogParts {
  released: string;
}

function splitChangelog(text: string): ChangelogParts {
  const at = text.indexOf(`\n${RELEASED}\n`);
  return { released: at < 0 ? '' : text.slice(at + RELEASED.length + 2).replace(/^\n+/, '') };
}

function assemble(unreleased: string, released: string): string {
  const parts = [HEADER, `${UNRELEASED}\n`, unreleased.trimEnd(), '', `${RELEASED}\n`];
  if (released.trim() !== '') parts.push(released.trimEnd());
  return `${parts.join('\n')}\n`;
}

/** The whole changelog with the Unreleased section replaced (Released sections kept as they are). */
export function updateChangelog(current: string, reports: readonly ContractReport[]): string {
  return assemble(renderUnreleased(reports), splitChangelog(current).released);
}

/**
 * The changelog after a release on `date` (YYYY-MM-DD): the reports become the newest Released
 * section and the Unreleased section says no changes (the snapshot now equals the specs).
 */
export function releaseChangelog(current: string, reports: readonly ContractReport[], date: string): string {
  const previous = splitChangelog(current).released;
  const versions = reports.map((r) => `${r.title} ${r.currentVersion}`).join(', ');
  const unchanged = previous.trim() === '' ? 'first release, the baseline of the breaking-change gate' : 'no change since the previous release';
  const body = reports.map((r) => (r.changes.length === 0 ? `- \`specs/${r.file}\` ${r.currentVersion}: ${unchanged}.\n` : contractSection(r, 4))).join('\n');
  const entry = `### ${date}: ${versions}\n\n${body.trimEnd()}\n`;
  const afterRelease = reports.map((r) => ({ ...r, releasedVersion: r.currentVersion, changes: [], verdict: { passed: true, majorRaised: false, reason: 'no breaking change' } }));
  return assemble(renderUnreleased(afterRelease), previous.trim() === '' ? entry : `${entry}\n${previous}`);
}
