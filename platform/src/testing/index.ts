// Test support shared by every workspace's suites (real RabbitMQ vhosts, real MariaDB databases).
export * from './rabbit-vhost.ts';
export * from './mariadb-database.ts';
export * from './raw-http.ts';
