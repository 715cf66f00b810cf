import { Installation } from '../entities/installation.entity';
import { InstallationRepository } from './installation.repository';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Row-locked changes of installations driven by platform lifecycle events; each is announced to every process. */
@Injectable()
export class InstallationLifecycleRepository {
  constructor(private readonly installations: InstallationRepository) {}

  /** The installation, locked until the transaction ends (so concurrent lifecycle events apply one after another). */
  lock(id: string, manager: EntityManager): Promise<Installation | null> {
    return manager.getRepository(Installation).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /** Writes `changes` to a locked row and tells other processes (token caches) at commit. */
  async update(row: Installation, changes: Partial<Installation>, manager: EntityManager): Promise<Installation> {
    const repository = manager.getRepository(Installation);
    const saved = await repository.save(repository.merge(row, changes));
    await this.installations.notifyChanged(row.id, manager);
    return saved;
  }

  /** Merges keys into the metadata jsonb (keeping the others), e.g. the repository list of a GitHub install. */
  async mergeMetadata(id: string, patch: Record<string, unknown>, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE installations SET metadata = metadata || $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify(patch)]);
  }
}
