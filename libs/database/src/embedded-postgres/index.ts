export * from './embedded-postgres.server';
export * from './embedded-postgres.error';
export type { PostgresBinaries } from './postgres-binaries';
export { packagedPostgresBinaries } from './postgres-binaries';
