// The access matrix of the bank issue, re-run against MariaDB: every operation × {anonymous, owner,
// other user, manager, admin} on a fresh `test_<random>` database (the SQLite run lives in
// ../http/access-matrix.test.ts). Skipped when TEST_DATABASES excludes MariaDB.
import { describeAccessMatrix } from '../support/access-matrix.ts';

describeAccessMatrix(['mysql']);
