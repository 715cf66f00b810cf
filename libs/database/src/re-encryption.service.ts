import { EncryptedColumnTransformer, TokenCipher } from '@bot/crypto';
import { DataSource, EntityMetadata } from 'typeorm';

export interface ReEncryptionReport {
  /** Rows rewritten per table. */
  rows: Record<string, number>;
  keyId: string;
}

/** Thrown when a stored value cannot be re-encrypted; names the table, row and column, never the value. */
export class ReEncryptionError extends Error {}

/**
 * Moves every encrypted column of every entity to the current key, a batch of rows per transaction.
 * Rows already under the current key are never selected, so the job can be interrupted and re-run.
 */
export class ReEncryptionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: TokenCipher,
  ) {}

  /** Re-encrypts all rows; returns how many rows of each table changed. */
  async reEncryptAll(batchSize = 500): Promise<ReEncryptionReport> {
    const rows: Record<string, number> = {};
    for (const metadata of this.dataSource.entityMetadatas) {
      const columns = metadata.columns
        .filter((column) => column.transformer instanceof EncryptedColumnTransformer)
        .map((column) => column.databaseName);
      if (columns.length > 0) {
        rows[metadata.tableName] = await this.reEncryptTable(metadata, columns, batchSize);
      }
    }
    return { rows, keyId: this.cipher.currentKeyId };
  }

  private async reEncryptTable(metadata: EntityMetadata, columns: string[], batchSize: number): Promise<number> {
    const table = `"${metadata.tableName}"`;
    const idColumn = metadata.primaryColumns[0].databaseName;
    const prefix = TokenCipher.prefixFor(this.cipher.currentKeyId);
    const stale = columns.map((c) => `("${c}" IS NOT NULL AND left("${c}", length($1)) <> $1)`).join(' OR ');
    let total = 0;
    for (;;) {
      const changed = await this.dataSource.transaction(async (manager) => {
        // FOR UPDATE: a concurrent token refresh either finishes first (and we re-read its value) or waits for us.
        const batch: Record<string, string | null>[] = await manager.query(
          `SELECT "${idColumn}" AS id, ${columns.map((c) => `"${c}"`).join(', ')} FROM ${table}
           WHERE ${stale} ORDER BY "${idColumn}" LIMIT ${Number(batchSize)} FOR UPDATE`,
          [prefix],
        );
        for (const row of batch) {
          const values = columns.map((column) => this.reEncryptValue(row[column], metadata.tableName, String(row['id']), column));
          await manager.query(
            `UPDATE ${table} SET ${columns.map((c, i) => `"${c}" = $${i + 2}`).join(', ')} WHERE "${idColumn}" = $1`,
            [row['id'], ...values],
          );
        }
        return batch.length;
      });
      total += changed;
      if (changed < batchSize) return total;
    }
  }

  private reEncryptValue(value: string | null, table: string, id: string, column: string): string | null {
    if (value === null || this.cipher.isCurrent(value)) return value;
    try {
      return this.cipher.encrypt(this.cipher.decrypt(value));
    } catch (error) {
      throw new ReEncryptionError(`${table}.${column} of row ${id}: ${(error as Error).message}`);
    }
  }
}
