import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

export interface PartyContact {
  name: string;
  contact: string | null;
}

/** Art. 26: a joint controller; `purposes` empty means every activity. */
export interface JointController extends PartyContact {
  purposes: string[];
  responsibilities: string | null;
}

/** Art. 30(2): a controller on whose behalf this company processes, and which purposes it does so for. */
export interface ProcessorClient extends PartyContact {
  representative: PartyContact | null;
  dpo: PartyContact | null;
  purposes: string[];
}

/**
 * The controller block of the register (Art. 30(1)(a)): one row. Null columns fall back to the
 * environment (CONTROLLER_NAME, DPO_NAME, DPO_EMAIL) or to the defaults Zgoda ships.
 */
@Entity({ name: 'controller_settings' })
@Check('ck_controller_settings_singleton', 'id = 1')
export class ControllerSettings {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', nullable: true })
  address: string | null;

  @Column({ type: 'text', nullable: true })
  contact: string | null;

  @Column({ type: 'text', nullable: true })
  dpoName: string | null;

  @Column({ type: 'text', nullable: true })
  dpoContact: string | null;

  /** Art. 27: the representative in the Union of a controller established outside it. */
  @Column({ type: 'jsonb', nullable: true })
  representative: PartyContact | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  jointControllers: JointController[];

  @Column({ type: 'jsonb', default: () => `'[]'` })
  processorClients: ProcessorClient[];

  /** Art. 30(1)(g): replaces the default description of what Zgoda itself does. */
  @Column({ type: 'text', nullable: true })
  securityMeasuresPl: string | null;

  @Column({ type: 'text', nullable: true })
  securityMeasuresEn: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;

  /** `<principal kind>:<id>`, never a name. */
  @Column({ type: 'text' })
  updatedBy: string;
}
