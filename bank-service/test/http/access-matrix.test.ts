// The access matrix (see ../support/access-matrix.ts) on SQLite, plus its coverage check. The same
// matrix runs on MariaDB in the security suite (../security/access-matrix-mariadb.test.ts), so
// `npm test` runs it once per engine.
import { describeAccessMatrix, describeAccessMatrixCoverage } from '../support/access-matrix.ts';

describeAccessMatrixCoverage();
describeAccessMatrix(['sqlite']);
