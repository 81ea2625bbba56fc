// Test support shared by every workspace's suites (real RabbitMQ vhosts, real MariaDB databases,
// CongoDB as a MongoDB stand-in).
export * from './rabbit-vhost.ts';
export * from './mariadb-database.ts';
export * from './congodb.ts';
