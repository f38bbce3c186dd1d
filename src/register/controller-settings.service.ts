import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import type { ControllerIdentity, ControllerIdentitySource } from '../consent';
import { Env } from '../config/env';
import { currentActor } from '../retention';
import { RegisterRepository } from './register.repository';
import { ControllerSettings } from './controller-settings.entity';
import { DEFAULT_SECURITY_MEASURES } from './register-words';
import type { ControllerSettingsDto } from './register.dto';
import type { EffectiveController } from './register.types';

/** The controller block of the register (Art. 30(1)(a)), stored once, with the environment as fallback. */
@Injectable()
export class ControllerSettingsService implements ControllerIdentitySource {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repo: RegisterRepository,
    private readonly audit: AuditService,
    private readonly env: Env,
  ) {}

  /** For consent receipts (CONTROLLER_IDENTITY): the controller as the register names it. */
  async controllerIdentity(m?: EntityManager): Promise<ControllerIdentity> {
    const s = await this.repo.findSettings(m);
    return { name: s?.name ?? this.env.CONTROLLER_NAME, address: s?.address ?? null, contact: s?.contact ?? null };
  }

  async effective(): Promise<EffectiveController> {
    const s = await this.repo.findSettings();
    const defaults: string[] = [];
    const or = <T>(field: string, value: T | null | undefined, fallback: T): T => {
      if (value === null || value === undefined) {
        defaults.push(field);
        return fallback;
      }
      return value;
    };
    return {
      name: or('name', s?.name, this.env.CONTROLLER_NAME),
      address: s?.address ?? null,
      contact: s?.contact ?? null,
      dpo: {
        name: or('dpo.name', s?.dpoName, this.env.DPO_NAME),
        contact: or('dpo.contact', s?.dpoContact, this.env.DPO_EMAIL),
      },
      representative: s?.representative ?? null,
      jointControllers: s?.jointControllers ?? [],
      processorClients: s?.processorClients ?? [],
      securityMeasures: {
        pl: or('securityMeasures.pl', s?.securityMeasuresPl, DEFAULT_SECURITY_MEASURES.pl),
        en: or('securityMeasures.en', s?.securityMeasuresEn, DEFAULT_SECURITY_MEASURES.en),
      },
      defaults,
      updatedAt: s?.updatedAt.toISOString() ?? null,
      updatedBy: s?.updatedBy ?? null,
    };
  }

  /** Replaces the block; the audit entry names the fields changed, never their values (contacts are personal data). */
  async put(dto: ControllerSettingsDto): Promise<EffectiveController> {
    const row: ControllerSettings = {
      id: 1,
      name: dto.name ?? null,
      address: dto.address ?? null,
      contact: dto.contact ?? null,
      dpoName: dto.dpo?.name ?? null,
      dpoContact: dto.dpo?.contact ?? null,
      representative: dto.representative
        ? { name: dto.representative.name, contact: dto.representative.contact ?? null }
        : null,
      jointControllers: (dto.jointControllers ?? []).map((j) => ({
        name: j.name,
        contact: j.contact ?? null,
        purposes: j.purposes ?? [],
        responsibilities: j.responsibilities ?? null,
      })),
      processorClients: (dto.processorClients ?? []).map((c) => ({
        name: c.name,
        contact: c.contact ?? null,
        representative: c.representative
          ? { name: c.representative.name, contact: c.representative.contact ?? null }
          : null,
        dpo: c.dpo ? { name: c.dpo.name, contact: c.dpo.contact ?? null } : null,
        purposes: c.purposes,
      })),
      securityMeasuresPl: dto.securityMeasures?.pl ?? null,
      securityMeasuresEn: dto.securityMeasures?.en ?? null,
      updatedAt: new Date(),
      updatedBy: currentActor(),
    };
    await this.dataSource.transaction(async (m) => {
      const before = await this.repo.lockSettings(m);
      const compared = Object.keys(row).filter(
        (k) => !['id', 'updatedAt', 'updatedBy'].includes(k),
      ) as (keyof ControllerSettings)[];
      const fields = compared.filter((k) => JSON.stringify(before?.[k] ?? null) !== JSON.stringify(row[k]));
      if (before && !fields.length) return;
      await this.repo.upsertSettings(m, row);
      await this.audit.append(m, {
        action: 'register.controller_updated',
        targetType: 'controller_settings',
        targetId: '1',
        data: { fields },
      });
    });
    return this.effective();
  }
}
