// @bank/testkit: test support only (a dev dependency of every workspace whose tests use it).
export * from './rabbit-vhost.ts';
export * from './mariadb-database.ts';
