/**
 * The gate's rule: a breaking change passes only when the contract's `info.version` raised its
 * major version over the released one. A version lower than the released one never passes.
 */
import semver from 'semver';
import type { ContractChange } from './contract-change.ts';

export interface GateVerdict {
  passed: boolean;
  /** The released version's major was raised (breaking changes are then allowed). */
  majorRaised: boolean;
  /** One sentence for the report. */
  reason: string;
}

export function gateVerdict(releasedVersion: string, currentVersion: string, changes: readonly ContractChange[]): GateVerdict {
  const released = semver.parse(releasedVersion);
  const current = semver.parse(currentVersion);
  if (!released || !current) {
    return { passed: false, majorRaised: false, reason: `info.version must be a semantic version (released ${releasedVersion}, now ${currentVersion})` };
  }
  if (semver.lt(current, released)) {
    return { passed: false, majorRaised: false, reason: `info.version ${currentVersion} is lower than the released ${releasedVersion}` };
  }
  const majorRaised = current.major > released.major;
  const breaking = changes.filter((c) => c.level === 'breaking').length;
  if (breaking === 0) return { passed: true, majorRaised, reason: 'no breaking change' };
  if (majorRaised) return { passed: true, majorRaised, reason: `${breaking} breaking change(s), allowed: the major version was raised (${releasedVersion} → ${currentVersion})` };
  return {
    passed: false,
    majorRaised,
    reason: `${breaking} breaking change(s) while info.version ${currentVersion} keeps the released major ${released.major}: undo them or raise info.version to ${released.major + 1}.0.0`,
  };
}
