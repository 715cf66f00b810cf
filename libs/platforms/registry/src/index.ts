export * from './registry';
export * from './platforms.module';
export * from './platform-clients.module';
export * from './sandbox';
export * from './shared-sandbox';
export * from './installation-hooks.module';
