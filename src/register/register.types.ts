import type { LegalBasis, SpecialCategoryBasis } from '../consent';
import type { JointController, PartyContact, ProcessorClient } from './controller-settings.entity';
import type { RegisterLang, RegisterRole } from './register-columns';

/** The controller block with every fallback applied (settings, then env, then Zgoda's defaults). */
export interface EffectiveController {
  name: string;
  address: string | null;
  contact: string | null;
  dpo: { name: string; contact: string | null };
  representative: PartyContact | null;
  jointControllers: JointController[];
  processorClients: ProcessorClient[];
  securityMeasures: Record<RegisterLang, string>;
  /** Fields taken from the environment or the defaults because the settings leave them unset. */
  defaults: string[];
  updatedAt: string | null;
  updatedBy: string | null;
}

export interface RegisterVersionInfo {
  /** The last version the DPO signed off; null before the first sign-off. */
  signedOffVersion: number | null;
  signedOffAt: string | null;
  signedOffBy: string | null;
  /** The newest change to purposes, systems, policies or settings (from the audit log). */
  lastUpdatedAt: string | null;
  lastUpdatedBy: string | null;
  changedSinceSignOff: boolean;
}

export interface RegisterGap {
  /** Activity key, or null for the controller block. */
  activity: string | null;
  column: string;
  header: string;
  severity: 'mandatory' | 'recommended';
  message: string;
}

export interface RegisterRow {
  lp: number;
  key: string;
  name: string;
  /** The cells in column order, keyed by column key: what CSV, XLSX, HTML and PDF print. */
  row: Record<string, string>;
}

export interface RegisterActivity extends RegisterRow {
  purpose: string | null;
  organisationalUnit: string | null;
  dataSource: string | null;
  subjectCategories: string[];
  dataCategories: string[];
  specialCategoryData: boolean;
  legalBasis: { basis: LegalBasis; specialCategoryBasis: SpecialCategoryBasis | null; iris: string[] };
  plannedErasure: { policyId: string; policyKey: string; period: string; text: string }[];
  jointControllers: PartyContact[];
  processors: PartyContact[];
  recipients: string[];
  systems: { id: string; key: string; name: string }[];
  securityMeasures: string;
  dpiaReference: string | null;
  transfers: { destination: string; safeguards: string | null }[];
}

export interface ProcessorEntry extends RegisterRow {
  controller: PartyContact;
  representative: PartyContact | null;
  dpo: PartyContact | null;
  purposes: string[];
  systems: { id: string; key: string; name: string }[];
}

export interface Register {
  role: RegisterRole;
  lang: RegisterLang;
  title: string;
  generatedAt: string;
  controller: Omit<EffectiveController, 'processorClients' | 'securityMeasures' | 'updatedAt' | 'updatedBy'>;
  version: RegisterVersionInfo;
  columns: { key: string; header: string; mandatory: boolean }[];
  activities: (RegisterActivity | ProcessorEntry)[];
  gaps: RegisterGap[];
}
