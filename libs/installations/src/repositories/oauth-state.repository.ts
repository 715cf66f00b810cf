import { Injectable } from '@nestjs/common';
import { DataSource, LessThan } from 'typeorm';
import { Platform } from '../entities/installation.entity';
import { OAuthState } from '../entities/oauth-state.entity';

/** Pending authorizations; a state is consumed (deleted) on first use, so it can be used once only. */
@Injectable()
export class OAuthStateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a new pending authorization. */
  create(values: { state: string; platform: Platform; codeVerifier?: string | null; redirectUri?: string | null; metadata?: Record<string, unknown>; expiresAt: Date }): Promise<OAuthState> {
    const repository = this.dataSource.getRepository(OAuthState);
    return repository.save(repository.create({ metadata: {}, codeVerifier: null, redirectUri: null, ...values }));
  }

  /** Removes and returns the state, or null when it does not exist (never issued, or already used). */
  consume(state: string): Promise<OAuthState | null> {
    return this.dataSource.transaction(async (manager) => {
      // A concurrent consumer blocks on the row lock and then finds the row gone: exactly one wins.
      const row = await manager.getRepository(OAuthState).findOne({ where: { state }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      await manager.delete(OAuthState, { id: row.id });
      return row;
    });
  }

  /** Deletes expired states; returns how many. */
  async purgeExpired(now = new Date()): Promise<number> {
    const result = await this.dataSource.getRepository(OAuthState).delete({ expiresAt: LessThan(now) });
    return result.affected ?? 0;
  }
}
