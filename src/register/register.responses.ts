import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { LegalBasis, SpecialCategoryBasis } from '../consent';
import { REGISTER_LANGS, REGISTER_ROLES, type RegisterLang, type RegisterRole } from './register-columns';

/*
 * What the register routes answer (issue 24). The register itself is built as the interfaces in register.types.ts;
 * these classes describe the same JSON for the OpenAPI document, and the service's answers are typed with them.
 */

const STRING_MAP = { type: 'object', additionalProperties: { type: 'string' } } as const;

export class PartyContactView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  contact: string | null;
}

export class JointControllerView extends PartyContactView {
  @ApiProperty({ type: [String], description: 'Purpose keys; empty: every activity' })
  purposes: string[];

  @ApiProperty({ type: String, nullable: true, description: 'Art. 26(1): the arrangement in words' })
  responsibilities: string | null;
}

export class ProcessorClientView extends PartyContactView {
  @ApiProperty({ type: PartyContactView, nullable: true })
  representative: PartyContactView | null;

  @ApiProperty({ type: PartyContactView, nullable: true })
  dpo: PartyContactView | null;

  @ApiProperty({ type: [String] })
  purposes: string[];
}

export class DpoView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  contact: string | null;
}

export class RegisterControllerView {
  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  address: string | null;

  @ApiProperty({ type: String, nullable: true })
  contact: string | null;

  @ApiProperty({ type: DpoView })
  dpo: DpoView;

  @ApiProperty({ type: PartyContactView, nullable: true, description: 'Art. 27' })
  representative: PartyContactView | null;

  @ApiProperty({ type: [JointControllerView] })
  jointControllers: JointControllerView[];

  @ApiProperty({ type: [String], description: 'Fields taken from the environment or defaults, not the settings' })
  defaults: string[];
}

export class SecurityMeasuresView {
  @ApiProperty()
  pl: string;

  @ApiProperty()
  en: string;
}

export class ControllerSettingsResponse extends RegisterControllerView {
  @ApiProperty({ type: [ProcessorClientView], description: 'Art. 30(2): on whose behalf this company processes' })
  processorClients: ProcessorClientView[];

  @ApiProperty({ type: SecurityMeasuresView, description: 'Art. 32, in both languages' })
  securityMeasures: SecurityMeasuresView;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  updatedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  updatedBy: string | null;
}

export class RegisterVersionInfoView {
  @ApiProperty({ type: 'integer', nullable: true, description: 'Null before the first sign-off' })
  signedOffVersion: number | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  signedOffAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  signedOffBy: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  lastUpdatedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastUpdatedBy: string | null;

  @ApiProperty()
  changedSinceSignOff: boolean;
}

export class RegisterColumnView {
  @ApiProperty()
  key: string;

  @ApiProperty()
  header: string;

  @ApiProperty({ description: 'Art. 30(1) or (2) requires it' })
  mandatory: boolean;
}

export class RegisterGapView {
  @ApiProperty({ type: String, nullable: true, description: 'Activity key; null: the controller block' })
  activity: string | null;

  @ApiProperty()
  column: string;

  @ApiProperty()
  header: string;

  @ApiProperty({ enum: ['mandatory', 'recommended'] })
  severity: 'mandatory' | 'recommended';

  @ApiProperty()
  message: string;
}

export class SystemRefView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  key: string;

  @ApiProperty()
  name: string;
}

export class LegalBasisView {
  @ApiProperty({ enum: LegalBasis })
  basis: LegalBasis;

  @ApiProperty({ enum: SpecialCategoryBasis, nullable: true })
  specialCategoryBasis: SpecialCategoryBasis | null;

  @ApiProperty({ type: [String], description: 'ELI/IRI of the provisions' })
  iris: string[];
}

export class PlannedErasureView {
  @ApiProperty()
  policyId: string;

  @ApiProperty()
  policyKey: string;

  @ApiProperty()
  period: string;

  @ApiProperty()
  text: string;
}

export class TransferView {
  @ApiProperty()
  destination: string;

  @ApiProperty({ type: String, nullable: true })
  safeguards: string | null;
}

export class RegisterRowView {
  @ApiProperty({ type: 'integer', description: 'Row number' })
  lp: number;

  @ApiProperty()
  key: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ ...STRING_MAP, description: 'The printed cells by column key (CSV, XLSX, HTML, PDF)' })
  row: Record<string, string>;
}

export class RegisterActivityView extends RegisterRowView {
  @ApiProperty({ type: String, nullable: true })
  purpose: string | null;

  @ApiProperty({ type: String, nullable: true })
  organisationalUnit: string | null;

  @ApiProperty({ type: String, nullable: true })
  dataSource: string | null;

  @ApiProperty({ type: [String] })
  subjectCategories: string[];

  @ApiProperty({ type: [String] })
  dataCategories: string[];

  @ApiProperty()
  specialCategoryData: boolean;

  @ApiProperty({ type: LegalBasisView })
  legalBasis: LegalBasisView;

  @ApiProperty({ type: [PlannedErasureView], description: 'Art. 30(1)(f)' })
  plannedErasure: PlannedErasureView[];

  @ApiProperty({ type: [PartyContactView] })
  jointControllers: PartyContactView[];

  @ApiProperty({ type: [PartyContactView] })
  processors: PartyContactView[];

  @ApiProperty({ type: [String] })
  recipients: string[];

  @ApiProperty({ type: [SystemRefView] })
  systems: SystemRefView[];

  @ApiProperty()
  securityMeasures: string;

  @ApiProperty({ type: String, nullable: true })
  dpiaReference: string | null;

  @ApiProperty({ type: [TransferView] })
  transfers: TransferView[];
}

export class ProcessorEntryView extends RegisterRowView {
  @ApiProperty({ type: PartyContactView, description: 'The controller processed for (Art. 30(2)(a))' })
  controller: PartyContactView;

  @ApiProperty({ type: PartyContactView, nullable: true })
  representative: PartyContactView | null;

  @ApiProperty({ type: PartyContactView, nullable: true })
  dpo: PartyContactView | null;

  @ApiProperty({ type: [String] })
  purposes: string[];

  @ApiProperty({ type: [SystemRefView] })
  systems: SystemRefView[];
}

@ApiExtraModels(RegisterActivityView, ProcessorEntryView)
export class RegisterResponse {
  @ApiProperty({ enum: REGISTER_ROLES })
  role: RegisterRole;

  @ApiProperty({ enum: REGISTER_LANGS })
  lang: RegisterLang;

  @ApiProperty()
  title: string;

  @ApiProperty({ format: 'date-time' })
  generatedAt: string;

  @ApiProperty({ type: RegisterControllerView })
  controller: RegisterControllerView;

  @ApiProperty({ type: RegisterVersionInfoView })
  version: RegisterVersionInfoView;

  @ApiProperty({ type: [RegisterColumnView] })
  columns: RegisterColumnView[];

  @ApiProperty({
    type: 'array',
    items: { oneOf: [{ $ref: getSchemaPath(RegisterActivityView) }, { $ref: getSchemaPath(ProcessorEntryView) }] },
    description: 'A controller’s activities (role controller) or the processing done for clients (role processor)',
  })
  activities: (RegisterActivityView | ProcessorEntryView)[];

  @ApiProperty({ type: [RegisterGapView], description: 'What the register still lacks' })
  gaps: RegisterGapView[];
}

export class SignOffResponse {
  @ApiProperty({ enum: REGISTER_ROLES })
  role: RegisterRole;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  signedOffAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  signedOffBy: string | null;

  @ApiProperty({ description: 'SHA-256 of the Polish snapshot as stored' })
  sha256: string;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: 'integer' })
  activities: number;

  @ApiProperty({ type: 'integer', description: 'Gaps signed off with' })
  gaps: number;
}

export class RegisterVersionView {
  @ApiProperty({ enum: REGISTER_ROLES })
  role: RegisterRole;

  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty()
  sha256: string;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty()
  signedOffBy: string;

  @ApiProperty({ format: 'date-time' })
  signedOffAt: string;
}

export class RegisterVersionList {
  @ApiProperty({ type: [RegisterVersionView], description: 'Newest first' })
  items: RegisterVersionView[];
}

export class ChangeAttributionView {
  @ApiProperty({ description: 'The audit entry' })
  seq: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ description: '`<principal kind>:<id>`' })
  by: string;

  @ApiProperty()
  action: string;

  @ApiProperty()
  targetType: string;

  @ApiProperty({ type: String, nullable: true })
  targetId: string | null;

  @ApiProperty({ type: [String], nullable: true })
  fields: string[] | null;
}

export class FieldChangeView {
  @ApiProperty()
  field: string;

  @ApiProperty()
  header: string;

  @ApiProperty({ type: String, nullable: true })
  old: string | null;

  @ApiProperty({ type: String, nullable: true })
  new: string | null;
}

export class ControllerFieldChange extends FieldChangeView {
  @ApiProperty({ type: [ChangeAttributionView] })
  changedBy: ChangeAttributionView[];
}

export class ActivityRefChange {
  @ApiProperty()
  key: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: [ChangeAttributionView] })
  changedBy: ChangeAttributionView[];
}

export class ActivityChange extends ActivityRefChange {
  @ApiProperty({ type: [FieldChangeView] })
  fields: FieldChangeView[];
}

export class SignedOffRef {
  @ApiProperty({ type: 'integer' })
  version: number;

  @ApiProperty({ format: 'date-time' })
  signedOffAt: string;

  @ApiProperty()
  signedOffBy: string;
}

export class RegisterChangesResponse {
  @ApiProperty({ enum: REGISTER_ROLES })
  role: RegisterRole;

  @ApiProperty({ enum: REGISTER_LANGS })
  lang: RegisterLang;

  @ApiProperty({ type: SignedOffRef, nullable: true, description: 'The last sign-off; null before the first' })
  since: SignedOffRef | null;

  @ApiProperty({ type: RegisterVersionInfoView })
  current: RegisterVersionInfoView;

  @ApiProperty()
  changed: boolean;

  @ApiProperty({ type: [ControllerFieldChange] })
  controller: ControllerFieldChange[];

  @ApiProperty({ type: [ActivityRefChange] })
  added: ActivityRefChange[];

  @ApiProperty({ type: [ActivityRefChange] })
  removed: ActivityRefChange[];

  @ApiProperty({ type: [ActivityChange] })
  changes: ActivityChange[];

  @ApiProperty({ type: [ChangeAttributionView], description: 'Every change since the sign-off, from the audit log' })
  entries: ChangeAttributionView[];
}

export class ActivityDetailsResponse {
  @ApiProperty()
  purposeKey: string;

  @ApiProperty({ type: String, nullable: true })
  organisationalUnit: string | null;

  @ApiProperty({ type: String, nullable: true })
  dataSource: string | null;

  @ApiProperty({ type: String, nullable: true })
  dpiaReference: string | null;

  @ApiProperty({ type: String, nullable: true })
  securityMeasures: string | null;

  @ApiProperty({ type: String, nullable: true })
  transferDocumentation: string | null;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt: string | Date;

  @ApiProperty()
  updatedBy: string;
}
