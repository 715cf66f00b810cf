export * from './app-name';
export * from './app-config';
export * from './app-config.module';
export * from './load-app-config';
export { environmentVariableNames, normalisePem } from './environment-variables';
