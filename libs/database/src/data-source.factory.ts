import { AppConfig } from '@bot/config';
import { TokenCipher, useColumnCipher } from '@bot/crypto';
import { SCHEMA_ENTITIES, SCHEMA_MIGRATIONS } from '@bot/installations';
import { DataSource, DataSourceOptions } from 'typeorm';
import { RedactingTypeOrmLogger } from './redacting-typeorm.logger';

/** TypeORM options for the product schema; the schema only ever changes through migrations. */
export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: SCHEMA_ENTITIES,
    migrations: SCHEMA_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logger: new RedactingTypeOrmLogger(),
    maxQueryExecutionTime: 1000,
    extra: { max: poolSize, connectionTimeoutMillis: 5000 },
  };
}

/** The key ring for encrypted columns, built from the validated config. */
export function tokenCipherFrom(config: Pick<AppConfig, 'encryption'>): TokenCipher {
  return new TokenCipher(config.encryption.current, config.encryption.previous);
}

/** A DataSource for `url` with the config's key ring installed for encrypted columns (not yet initialised). */
export function createDataSource(url: string, config: Pick<AppConfig, 'encryption'>, poolSize?: number): DataSource {
  useColumnCipher(tokenCipherFrom(config));
  return new DataSource(dataSourceOptions(url, poolSize));
}
