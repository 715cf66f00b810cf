export * from './clock';
export * from './upstream.error';
export * from './platform-http.client';
export * from './installation-provider';
export * from './oauth2-authorization-url';
export * from './provider-registry';
export * from './platform-module';
export * from './installation-hooks';
