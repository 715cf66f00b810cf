export * from './app-name';
export * from './app-config';
export * from './app-config.module';
export * from './load-app-config';
export { normalisePem } from './platforms/github.config';
export type { PlatformConfig } from './platforms/platform-config';
