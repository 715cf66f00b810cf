export * from './entities/installation.entity';
export * from './entities/oauth-state.entity';
export * from './repositories/installation.repository';
export * from './schema';
export * from './entities/audit-event.entity';
export * from './repositories/audit-event.repository';
export * from './repositories/oauth-state.repository';
export * from './repositories/installation-lifecycle.repository';
