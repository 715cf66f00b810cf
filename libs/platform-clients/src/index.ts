export * from './installation-api.client';
