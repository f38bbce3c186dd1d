import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditChangeRow, AuditLogReaderService, AuditService } from '../audit';
import { PurposesService } from '../consent';
import { currentActor } from '../retention';
import { RetentionPoliciesService } from '../retention';
import { SystemsService } from '../systems';
import { ControllerSettingsService } from './controller-settings.service';
import { RegisterActivityDetails } from './register-activity-details.entity';
import { RegisterRepository } from './register.repository';
import { ProblemError } from '../common/problem/problem.error';
import { buildRegister } from './register-builder';
import { RegisterLang, RegisterRole } from './register-columns';
import { diffRegisters, FieldChange, isEmptyDiff, sourcesOf } from './register-diff';
import { RegisterVersion } from './register-version.entity';
import type { ActivityDetailsDto } from './register.dto';
import type { Register, RegisterRow, RegisterVersionInfo } from './register.types';
import type { RegisterChangesResponse, RegisterVersionView, SignOffResponse } from './register.responses';

/** Audit actions that change what the register prints: its version history is read from these. */
export const REGISTER_SOURCE_ACTIONS = [
  'purpose.created',
  'purpose.updated',
  'system.created',
  'system.updated',
  'retention.policy_created',
  'retention.policy_updated',
  'register.controller_updated',
  'register.activity_updated',
];

export interface ChangeAttribution {
  seq: string;
  at: string;
  /** `<principal kind>:<id>`. */
  by: string;
  action: string;
  targetType: string;
  targetId: string | null;
  fields: string[] | null;
}

const attribution = (r: AuditChangeRow): ChangeAttribution => ({
  seq: String(r.seq),
  at: r.occurred_at.toISOString(),
  by: `${r.actor_type}:${r.actor_id}`,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  fields: Array.isArray(r.data?.fields) ? r.data.fields : null,
});

// Controller-wide settings reach every row through these columns.
const SETTINGS_COLUMNS = new Set(['jointControllers', 'security', 'controller', 'representative', 'controllerDpo']);

@Injectable()
export class RegisterService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly purposes: PurposesService,
    private readonly systems: SystemsService,
    private readonly policies: RetentionPoliciesService,
    private readonly settings: ControllerSettingsService,
    private readonly audit: AuditService,
    private readonly auditLog: AuditLogReaderService,
    private readonly repo: RegisterRepository,
  ) {}

  /** The register as of now, generated from what the service knows and enforces (PRODUCT.md 9). */
  async generate(role: RegisterRole, lang: RegisterLang): Promise<Register> {
    const [last, lastChange] = await Promise.all([this.lastVersion(role), this.lastChange()]);
    const draft = await this.build(role, lang, {
      signedOffVersion: last?.version ?? null,
      signedOffAt: last?.signedOffAt.toISOString() ?? null,
      signedOffBy: last?.signedOffBy ?? null,
      lastUpdatedAt: lastChange?.at ?? null,
      lastUpdatedBy: lastChange?.by ?? null,
      changedSinceSignOff: true,
    });
    const snapshot = (last?.snapshot as Record<RegisterLang, Register> | undefined)?.[lang] ?? null;
    draft.version.changedSinceSignOff = !snapshot || !isEmptyDiff(diffRegisters(snapshot, draft));
    return draft;
  }

  /**
   * Stores the register as generated now, in both languages. The audit mark is taken before the register is read: a
   * change it could not see either committed while the register was read (it may be in it, and is listed among the
   * changes since anyway: listed twice rather than never) or after (not in it, and listed).
   */
  async signOff(role: RegisterRole, note: string | null): Promise<SignOffResponse> {
    return this.dataSource.transaction(async (m) => {
      await this.repo.lockSignOff(m, role);
      const auditMark = await this.auditLog.mark(m);
      const max = await this.repo.maxVersion(m, role);
      const version = (max ?? 0) + 1;
      const entry = await this.audit.append(m, {
        action: 'register.signed_off',
        targetType: 'register',
        targetId: role,
        data: { role, version },
      });
      const lastChange = await this.lastChange();
      const info: RegisterVersionInfo = {
        signedOffVersion: version,
        signedOffAt: entry.occurredAt.toISOString(),
        signedOffBy: currentActor(),
        lastUpdatedAt: lastChange?.at ?? null,
        lastUpdatedBy: lastChange?.by ?? null,
        changedSinceSignOff: false,
      };
      const [pl, en] = [await this.build(role, 'pl', info), await this.build(role, 'en', info)];
      const sha256 = createHash('sha256').update(JSON.stringify(pl)).digest('hex');
      const row: RegisterVersion = {
        role,
        version,
        snapshot: { pl, en },
        sha256,
        note,
        signedOffBy: info.signedOffBy!,
        signedOffAt: entry.occurredAt,
        auditSeq: entry.seq,
        auditMark,
      };
      await this.repo.insertVersion(m, row);
      return {
        role,
        version,
        signedOffAt: info.signedOffAt,
        signedOffBy: info.signedOffBy,
        sha256,
        note,
        activities: pl.activities.length,
        gaps: pl.gaps.length,
      };
    });
  }

  /** A sign-off as its answer said it (an Idempotency-Key replay): from the stored version, nothing rebuilt. */
  async signedOff(role: RegisterRole, version: number): Promise<SignOffResponse> {
    const row = await this.repo.findVersion(role, version);
    if (!row) throw new ProblemError('not_found', 'No such register version.');
    const pl = (row.snapshot as Record<'pl', Register>).pl;
    return {
      role,
      version,
      signedOffAt: row.signedOffAt.toISOString(),
      signedOffBy: row.signedOffBy,
      sha256: row.sha256,
      note: row.note,
      activities: pl.activities.length,
      gaps: pl.gaps.length,
    };
  }

  async versions(role: RegisterRole): Promise<RegisterVersionView[]> {
    const rows = await this.repo.listVersions(role);
    return rows.map((r) => ({ ...r, signedOffAt: r.signedOffAt.toISOString() }));
  }

  /** The diff since the last sign-off, each change attributed from the audit log (LEGAL item 30). */
  async changes(role: RegisterRole, lang: RegisterLang): Promise<RegisterChangesResponse> {
    const last = await this.lastVersion(role);
    const current = await this.generate(role, lang);
    const before = (last?.snapshot as Record<RegisterLang, Register> | undefined)?.[lang] ?? null;
    const diff = diffRegisters(before, current);
    const rows = await this.auditLog.changesSince(REGISTER_SOURCE_ACTIONS, {
      mark: last?.auditMark ?? null,
      seq: last?.auditSeq ?? '0',
    });
    const entries = rows.map(attribution);
    const beforeByKey = new Map((before?.activities ?? []).map((a) => [a.key, a]));
    const currentByKey = new Map(current.activities.map((a) => [a.key, a]));

    const attribute = (key: string, columns: string[]): ChangeAttribution[] => {
      const olds = sourcesOf(beforeByKey.get(key));
      const news = sourcesOf(currentByKey.get(key));
      const systems = new Set([...olds.systems, ...news.systems]);
      const policies = new Set([...olds.policies, ...news.policies]);
      const viaSettings = role === 'processor' || columns.some((c) => SETTINGS_COLUMNS.has(c));
      return entries.filter(
        (e) =>
          ((e.targetType === 'purpose' || e.targetType === 'register_activity') && e.targetId === key) ||
          (e.targetType === 'system' && systems.has(e.targetId ?? '')) ||
          (e.targetType === 'retention_policy' && policies.has(e.targetId ?? '')) ||
          (e.targetType === 'controller_settings' && viaSettings),
      );
    };
    const withBy = (a: RegisterRow) => ({ key: a.key, name: a.name, changedBy: attribute(a.key, []) });

    return {
      role,
      lang,
      since: last
        ? { version: last.version, signedOffAt: last.signedOffAt.toISOString(), signedOffBy: last.signedOffBy }
        : null,
      current: current.version,
      changed: !isEmptyDiff(diff),
      controller: diff.controller.map((c: FieldChange) => ({
        ...c,
        changedBy: entries.filter((e) => e.targetType === 'controller_settings'),
      })),
      added: diff.added.map(withBy),
      removed: diff.removed.map(withBy),
      changes: diff.changed.map((c) => ({
        ...c,
        changedBy: attribute(
          c.key,
          c.fields.map((f) => f.field),
        ),
      })),
      entries,
    };
  }

  async putActivityDetails(purposeKey: string, dto: ActivityDetailsDto): Promise<RegisterActivityDetails> {
    await this.purposes.get(purposeKey);
    const row: RegisterActivityDetails = {
      purposeKey,
      organisationalUnit: dto.organisationalUnit ?? null,
      dataSource: dto.dataSource ?? null,
      dpiaReference: dto.dpiaReference ?? null,
      securityMeasures: dto.securityMeasures ?? null,
      transferDocumentation: dto.transferDocumentation ?? null,
      updatedAt: new Date(),
      updatedBy: currentActor(),
    };
    await this.dataSource.transaction(async (m) => {
      const before = await this.repo.lockActivityDetails(m, purposeKey);
      const fields = (
        ['organisationalUnit', 'dataSource', 'dpiaReference', 'securityMeasures', 'transferDocumentation'] as const
      ).filter((k) => (before?.[k] ?? null) !== row[k]);
      if (!fields.length) return;
      await this.repo.upsertActivityDetails(m, row);
      await this.audit.append(m, {
        action: 'register.activity_updated',
        targetType: 'register_activity',
        targetId: purposeKey,
        data: { fields },
      });
    });
    return (await this.repo.findActivityDetails(purposeKey))!;
  }

  private async build(role: RegisterRole, lang: RegisterLang, version: RegisterVersionInfo): Promise<Register> {
    const [purposes, systems, policies, controller, details] = await Promise.all([
      this.allPurposes(),
      this.systems.listActive(),
      this.policies.listActive(),
      this.settings.effective(),
      this.repo.allActivityDetails(),
    ]);
    return buildRegister({
      role,
      lang,
      purposes,
      systems,
      policies,
      controller,
      details: new Map(details.map((d) => [d.purposeKey, d])),
      version,
      now: new Date(),
    });
  }

  private async allPurposes() {
    const all = [];
    for (let after: string | undefined; ;) {
      const page = await this.purposes.list(after, 500);
      all.push(...page);
      if (page.length < 500) return all;
      after = page[page.length - 1].key;
    }
  }

  private lastVersion(role: RegisterRole): Promise<RegisterVersion | null> {
    return this.repo.lastVersion(role);
  }

  private lastChange(): Promise<{ at: string; by: string } | null> {
    return this.auditLog.lastChange(REGISTER_SOURCE_ACTIONS);
  }
}
