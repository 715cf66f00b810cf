import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import type { Platform } from '../entities/installation.entity';
import { WebhookRegistration } from '../entities/webhook-registration.entity';

/** What is written after a registration attempt; unset fields keep their stored value. */
export type WebhookRegistrationWrite = Pick<WebhookRegistration, 'installationId' | 'platform'> &
  Partial<Omit<WebhookRegistration, 'installationId' | 'platform' | 'createdAt' | 'updatedAt'>>;

/**
 * The webhooks registered at a platform per installation. The one place that reads them, for the admin API,
 * the renewal job and the operator console alike.
 */
@Injectable()
export class WebhookRegistrationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The registration of one installation, or null when none was ever made. */
  forInstallation(installationId: string, manager: EntityManager = this.dataSource.manager): Promise<WebhookRegistration | null> {
    return manager.getRepository(WebhookRegistration).findOneBy({ installationId });
  }

  /** Registrations of several installations, by installation id (for lists). */
  async forInstallations(installationIds: string[]): Promise<Map<string, WebhookRegistration>> {
    if (installationIds.length === 0) return new Map();
    const rows = await this.dataSource.getRepository(WebhookRegistration).findBy({ installationId: In(installationIds) });
    return new Map(rows.map((row) => [row.installationId, row]));
  }

  /** Inserts or updates the registration of an installation. */
  async save(values: WebhookRegistrationWrite, manager: EntityManager = this.dataSource.manager): Promise<WebhookRegistration> {
    const repository = manager.getRepository(WebhookRegistration);
    const existing = await repository.findOneBy({ installationId: values.installationId });
    return repository.save(existing ? repository.merge(existing, values) : repository.create({ externalIds: [], events: [], failures: 0, ...values }));
  }

  /**
   * Registrations of active installations that need the renewal job now: expiring before `horizon`, never
   * registered successfully, or failing and past their retry time. Soonest expiry first.
   */
  due(platform: Platform, now: Date, horizon: Date, limit = 500): Promise<WebhookRegistration[]> {
    return this.dataSource
      .getRepository(WebhookRegistration)
      .createQueryBuilder('r')
      .innerJoin('installations', 'i', 'i.id = r.installation_id')
      .where(`r.platform = :platform AND r.status <> 'deleted' AND i.status = 'active'`, { platform })
      .andWhere(`(r.expires_at IS NULL OR r.expires_at <= :horizon OR r.status = 'failing')`, { horizon })
      .andWhere(`(r.retry_at IS NULL OR r.retry_at <= :now)`, { now })
      .orderBy('r.expires_at', 'ASC', 'NULLS FIRST')
      .limit(limit)
      .getMany();
  }

  /**
   * Active registrations of active installations that `due` leaves out because they expire after `horizon`, for
   * the renewal job's check that the platform still has them. Failing ones are not here: they wait for their
   * retry time in `due`.
   */
  notDue(platform: Platform, horizon: Date): Promise<WebhookRegistration[]> {
    return this.dataSource
      .getRepository(WebhookRegistration)
      .createQueryBuilder('r')
      .innerJoin('installations', 'i', 'i.id = r.installation_id')
      .where(`r.platform = :platform AND r.status = 'active' AND i.status = 'active'`, { platform })
      .andWhere(`r.expires_at > :horizon`, { horizon })
      .orderBy('r.installation_id')
      .getMany();
  }

  /** Live registrations of active installations of a platform (whose failed deliveries are worth recovering). */
  live(platform: Platform): Promise<WebhookRegistration[]> {
    return this.dataSource
      .getRepository(WebhookRegistration)
      .createQueryBuilder('r')
      .innerJoin('installations', 'i', 'i.id = r.installation_id')
      .where(`r.platform = :platform AND r.status <> 'deleted' AND i.status = 'active'`, { platform })
      .orderBy('r.installation_id')
      .getMany();
  }
}
