export * from './entities/installation.entity';
export * from './entities/oauth-state.entity';
export * from './repositories/installation.repository';
export * from './schema';
