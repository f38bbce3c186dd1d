import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ControllerSettings } from './controller-settings.entity';
import { RegisterActivityDetails } from './register-activity-details.entity';
import { RegisterVersion } from './register-version.entity';

/** The SQL of the register's versions, controller settings and per-activity details. */
@Injectable()
export class RegisterRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Two sign-offs of one role at once would both take the same next version number. */
  async lockSignOff(m: EntityManager, role: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`zgoda.register.sign_off.${role}`]);
  }

  async maxVersion(m: EntityManager, role: string): Promise<number | null> {
    const [{ max }] = (await m.query('SELECT max(version) AS max FROM register_versions WHERE role = $1', [role])) as {
      max: number | null;
    }[];
    return max;
  }

  async insertVersion(m: EntityManager, row: RegisterVersion): Promise<void> {
    await m.getRepository(RegisterVersion).insert(row as never);
  }

  listVersions(
    role: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<Omit<RegisterVersion, 'snapshot' | 'auditSeq' | 'auditMark'>[]> {
    return m.getRepository(RegisterVersion).find({
      select: { role: true, version: true, sha256: true, note: true, signedOffBy: true, signedOffAt: true },
      where: { role: role as RegisterVersion['role'] },
      order: { version: 'DESC' },
    });
  }

  findVersion(role: string, version: number): Promise<RegisterVersion | null> {
    return this.dataSource
      .getRepository(RegisterVersion)
      .findOne({ where: { role: role as RegisterVersion['role'], version } });
  }

  lastVersion(role: string, m: EntityManager = this.dataSource.manager): Promise<RegisterVersion | null> {
    return m
      .getRepository(RegisterVersion)
      .findOne({ where: { role: role as RegisterVersion['role'] }, order: { version: 'DESC' } });
  }

  lockActivityDetails(m: EntityManager, purposeKey: string): Promise<RegisterActivityDetails | null> {
    return m
      .getRepository(RegisterActivityDetails)
      .findOne({ where: { purposeKey }, lock: { mode: 'pessimistic_write' } });
  }

  async upsertActivityDetails(m: EntityManager, row: RegisterActivityDetails): Promise<void> {
    await m.getRepository(RegisterActivityDetails).upsert(row, ['purposeKey']);
  }

  findActivityDetails(
    purposeKey: string,
    m: EntityManager = this.dataSource.manager,
  ): Promise<RegisterActivityDetails | null> {
    return m.getRepository(RegisterActivityDetails).findOneBy({ purposeKey });
  }

  allActivityDetails(m: EntityManager = this.dataSource.manager): Promise<RegisterActivityDetails[]> {
    return m.getRepository(RegisterActivityDetails).find();
  }

  findSettings(m: EntityManager = this.dataSource.manager): Promise<ControllerSettings | null> {
    return m.getRepository(ControllerSettings).findOneBy({ id: 1 });
  }

  lockSettings(m: EntityManager): Promise<ControllerSettings | null> {
    return m.getRepository(ControllerSettings).findOne({ where: { id: 1 }, lock: { mode: 'pessimistic_write' } });
  }

  async upsertSettings(m: EntityManager, row: ControllerSettings): Promise<void> {
    await m.getRepository(ControllerSettings).upsert(row, ['id']);
  }
}
