export * from './token.errors';
export * from './token-cache';
export * from './token.service';
export * from './token-usage.recorder';
export * from './installation-token.repository';
export * from './installation-change.listener';
export * from './tokens.module';
