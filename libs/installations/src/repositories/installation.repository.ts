import { Injectable } from '@nestjs/common';
import { DataSource, FindOptionsWhere, Repository } from 'typeorm';
import { Installation, InstallationStatus, Platform } from '../entities/installation.entity';

export interface InstallationFilter {
  platform?: Platform;
  status?: InstallationStatus;
}

/** Reads and writes of installation rows; SQL and locking for installations live here. */
@Injectable()
export class InstallationRepository {
  private readonly repository: Repository<Installation>;

  constructor(dataSource: DataSource) {
    this.repository = dataSource.getRepository(Installation);
  }

  /** The installation with this id, or null. */
  findById(id: string): Promise<Installation | null> {
    return this.repository.findOneBy({ id });
  }

  /** Installations matching the filter, newest first. */
  list(filter: InstallationFilter = {}): Promise<Installation[]> {
    const where: FindOptionsWhere<Installation> = {};
    if (filter.platform) where.platform = filter.platform;
    if (filter.status) where.status = filter.status;
    return this.repository.find({ where, order: { createdAt: 'DESC' } });
  }

  /** The live (not revoked) installation of a platform org, or null. */
  findLiveByOrg(platform: Platform, externalOrgId: string): Promise<Installation | null> {
    return this.repository
      .createQueryBuilder('i')
      .where('i.platform = :platform AND i.external_org_id = :externalOrgId AND i.status <> :revoked', {
        platform,
        externalOrgId,
        revoked: 'revoked',
      })
      .getOne();
  }

  /** Inserts a new installation; the schema rejects a second live row for the same platform org. */
  insert(values: Partial<Installation>): Promise<Installation> {
    return this.repository.save(this.repository.create(values));
  }
}
