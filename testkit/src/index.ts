// @bank/testkit: test support only (a dev dependency of every workspace whose tests use it).
export * from './wait-for.ts';
export * from './test-settings.ts';
export * from './ports.ts';
export * from './rabbit-vhost.ts';
export * from './rabbit-node.ts';
export * from './rabbit-cluster.ts';
export * from './mariadb-database.ts';
export * from './mariadb-instance.ts';
export * from './engine-databases.ts';
export * from './congodb.ts';
export * from './raw-http.ts';
export * from './prometheus-text.ts';
export * from './loaded-packages.ts';
