import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository } from 'typeorm';
import { HealthEventEndpoint } from '@bot/installations';

/** Thrown when an endpoint with the same URL is already registered. */
export class DuplicateEndpointError extends Error {}

/** Endpoints that receive health events: registered by admins (`api`) or read from EVENT_WEBHOOK_URLS (`env`). */
@Injectable()
export class HealthEventEndpointRepository {
  private readonly repository: Repository<HealthEventEndpoint>;

  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(HealthEventEndpoint);
  }

  /** Every endpoint, oldest first. */
  list(): Promise<HealthEventEndpoint[]> {
    return this.repository.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** The endpoints with these ids (secrets decrypted by the column transformer). */
  findByIds(ids: string[]): Promise<HealthEventEndpoint[]> {
    return ids.length === 0 ? Promise.resolve([]) : this.repository.findBy({ id: In(ids) });
  }

  /** The endpoint, or null. */
  findById(id: string): Promise<HealthEventEndpoint | null> {
    return this.repository.findOneBy({ id });
  }

  /** Registers an admin endpoint with its secret; throws DuplicateEndpointError when the URL is taken. */
  async create(values: { url: string; secret: string; description: string | null }): Promise<HealthEventEndpoint> {
    try {
      return await this.repository.save(this.repository.create({ ...values, source: 'api' }));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateEndpointError(`an endpoint for ${values.url} is already registered`);
      throw error;
    }
  }

  /** Deletes the endpoint and its deliveries (pending ones are never sent); false when unknown. */
  async delete(id: string): Promise<boolean> {
    const result = await this.repository.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Makes the `env` endpoints exactly `urls`: adds the new ones, removes those no longer configured. A URL an
   * admin registered already stays theirs (with its own secret).
   */
  async syncConfigured(urls: readonly string[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Replicas starting together would otherwise race on the same inserts and deletes.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('health-event-endpoints:sync', 0))`);
      await manager.query(`DELETE FROM health_event_endpoints WHERE source = 'env' AND NOT (url = ANY($1::varchar[]))`, [urls]);
      await manager.query(
        `INSERT INTO health_event_endpoints (url, source) SELECT url, 'env' FROM unnest($1::varchar[]) AS url ON CONFLICT (url) DO NOTHING`,
        [urls],
      );
    });
  }
}
