export * from './health/health.module';
export * from './health/health.controller';
export * from './http-app';
export * from './app-sandbox';
export * from './http-app.module';
