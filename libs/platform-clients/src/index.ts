export * from './installation-caller';
export * from './installation-api.client';
export * from './api-app-installation.caller';
