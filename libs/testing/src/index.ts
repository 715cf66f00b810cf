export * from './test-database';
export * from './test-config';
export * from './test-app';
export * from './health-probes';
export * from './disposable-postgres';
export * from './pg-admin';
export * from './factories/installation.factory';
