export * from './encryption-key';
export * from './token-cipher';
export * from './encrypted-column.transformer';
export * from './api-key.matcher';
