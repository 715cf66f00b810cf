export * from './app-name';
export * from './app-config';
export * from './app-config.module';
export * from './load-app-config';
export { normalisePem } from './environment-variables';
