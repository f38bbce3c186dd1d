import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit';
import { SubjectHooks } from './subject-hooks';
import { CryptoService } from '../common/crypto/crypto.service';
import { IdentifierKind } from '../common/identifiers/normalise';
import { ProblemError } from '../common/problem/problem.error';
import { identifierColumn, ProfileColumn, SubjectCipher, SubjectKeyHandle } from './subject-cipher';
import { SubjectIdentifier } from './subject-identifier.entity';
import {
  IdentifierInput,
  minorUntil,
  normaliseIdentifiers,
  parseBirthDate,
  parseLocale,
  SubjectLocale,
  todayUtc,
} from './subject-rules';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { Subject } from './subject.entity';
import { NewIdentifierRow, NewSubjectRow, SubjectsRepository } from './subjects.repository';

export interface CreateSubjectInput {
  email?: string;
  phone?: string;
  externalId?: string;
  externalSystem?: string;
  firstName?: string;
  lastName?: string;
  birthDate?: string;
  locale?: SubjectLocale;
}

/** PATCH semantics: absent leaves a field alone, null clears it. */
export interface UpdateSubjectInput {
  email?: string | null;
  phone?: string | null;
  externalId?: string | null;
  externalSystem?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  locale?: SubjectLocale | null;
}

const PROFILE_FIELDS = {
  firstName: { column: 'first_name', property: 'firstNameEnc' },
  lastName: { column: 'last_name', property: 'lastNameEnc' },
  birthDate: { column: 'birth_date', property: 'birthDateEnc' },
  locale: { column: 'locale', property: 'localeEnc' },
} as const satisfies Record<string, { column: ProfileColumn; property: keyof Subject }>;

type ProfileField = keyof typeof PROFILE_FIELDS;

/** Creation and rectification (Art. 16) of subjects. */
@Injectable()
export class SubjectWriter {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly cipher: SubjectCipher,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly hooks: SubjectHooks,
  ) {}

  async create(m: EntityManager, input: CreateSubjectInput): Promise<{ id: string; createdAt: Date }> {
    const { subject, identifiers: rows, kinds, fields } = this.prepare(input);
    const { id, createdAt: now } = subject;
    // No look-up first: the identifiers' unique index answers "taken?" in the same statement, and a
    // taken one rolls the whole creation back with the owner named (subject_exists).
    const inserted = await this.subjects.insertNewSubject(m, subject, rows);
    await this.refuseLost(m, rows, inserted);
    await this.audit.append(m, {
      action: 'subject.created',
      targetType: 'subject',
      targetId: id,
      subjectId: id,
      data: { identifiers: kinds, fields },
    });
    return { id, createdAt: now };
  }

  /**
   * A new subject's rows, encrypted under its own new key, not yet written: 422 `invalid_identifier` or
   * `validation_failed` for invalid input. `create` writes one; an import writes many in one statement.
   */
  prepare(input: CreateSubjectInput): {
    subject: NewSubjectRow;
    identifiers: (NewIdentifierRow & { subjectId: string })[];
    kinds: IdentifierKind[];
    fields: string[];
  } {
    const identifiers = normaliseIdentifiers(input);
    const profile = this.validProfile(input);
    const id = randomUUID();
    const now = new Date();
    const { handle, wrapped } = this.cipher.newKey(id);
    try {
      const columns = this.encryptProfile(handle, profile);
      return {
        subject: {
          id,
          firstNameEnc: columns.firstNameEnc ?? null,
          lastNameEnc: columns.lastNameEnc ?? null,
          birthDateEnc: columns.birthDateEnc ?? null,
          localeEnc: columns.localeEnc ?? null,
          minorUntil: profile.birthDate ? minorUntil(profile.birthDate, todayUtc(now)) : null,
          createdAt: now,
          wrappedKey: wrapped.wrapped,
          keyVersion: wrapped.keyVersion,
        },
        identifiers: this.identifierRows(handle, identifiers),
        kinds: identifiers.map((i) => i.kind),
        fields: Object.keys(profile),
      };
    } finally {
      handle.close();
    }
  }

  /** Rectification by staff: the changed field names are audited, never the values. */
  async update(m: EntityManager, subject: Subject, input: UpdateSubjectInput): Promise<string[]> {
    if (subject.status === 'erased') throw new ProblemError('subject_erased', 'This subject has been erased.');
    const key = await this.keys.findKey(subject.id, m);
    if (!key) throw new ProblemError('subject_erased', 'This subject has been erased.');
    const changes = this.identifierChanges(input);
    const profile = this.validProfile(input);
    const changed: string[] = [];

    const handle = this.cipher.open(subject.id, key.wrappedKey, key.keyVersion);
    let columns: Partial<Subject>;
    try {
      const current = await this.identifiers.identifiersOf(subject.id, m);
      for (const change of changes) {
        if (await this.replaceIdentifier(m, handle, current, change)) changed.push(change.field);
      }
      columns = this.encryptProfile(handle, profile);
    } finally {
      handle.close();
    }
    for (const field of Object.keys(PROFILE_FIELDS) as ProfileField[]) {
      if (input[field] === undefined) continue;
      if (input[field] === null) (columns as Record<string, unknown>)[PROFILE_FIELDS[field].property] = null;
      changed.push(field);
    }
    if ('birthDate' in input) columns.minorUntil = profile.birthDate ? minorUntil(profile.birthDate, todayUtc()) : null;
    if (!changed.length) return changed;
    await this.subjects.updateSubject(m, subject.id, columns);
    // A child's consent needs a guardian (Art. 8): a new birth date can change what may be done.
    if ('birthDate' in input && (columns.minorUntil ?? null) !== (subject.minorUntil ?? null)) {
      await this.hooks.runChanged(m, { subjectId: subject.id, change: 'birth_date_changed' });
    }
    await this.audit.append(m, {
      action: 'subject.updated',
      targetType: 'subject',
      targetId: subject.id,
      subjectId: subject.id,
      data: { fields: changed },
    });
    return changed;
  }

  /** An identifier in `identifiers` owned by anyone but `self`: 409 naming the owner, as API.md says. */
  private async refuseTaken(m: EntityManager, identifiers: IdentifierInput[], self: string | null): Promise<void> {
    for (const kind of new Set(identifiers.map((i) => i.kind))) {
      const mine = identifiers.filter((i) => i.kind === kind);
      const owners = await this.identifiers.findOwners(
        kind,
        mine.map((i) => this.crypto.blindIndex(kind, i.value)),
        m,
      );
      for (const i of mine) {
        const index = this.crypto.blindIndex(kind, i.value);
        const owner = owners.find((o) => o.blindIndex.equals(index) && o.systemKey === i.systemKey);
        if (owner && owner.subjectId !== self) this.exists(owner.subjectId);
      }
    }
  }

  private exists(subjectId: string): never {
    throw new ProblemError('subject_exists', 'Another subject already has this identifier.', { subjectId });
  }

  private identifierRows(handle: SubjectKeyHandle, identifiers: IdentifierInput[]) {
    return identifiers.map((i) => {
      const id = randomUUID();
      return {
        id,
        subjectId: handle.subjectId,
        kind: i.kind,
        systemKey: i.systemKey,
        blindIndex: this.crypto.blindIndex(i.kind, i.value),
        valueEnc: handle.encrypt(identifierColumn(id), i.value),
      } satisfies Partial<SubjectIdentifier>;
    });
  }

  private async insertIdentifiers(
    m: EntityManager,
    handle: SubjectKeyHandle,
    identifiers: IdentifierInput[],
    primary: boolean,
  ): Promise<void> {
    const rows = this.identifierRows(handle, identifiers);
    const inserted = await this.identifiers.insertIdentifiers(
      m,
      rows.map((r) => ({ ...r, isPrimary: primary })),
    );
    await this.refuseLost(m, rows, inserted);
  }

  /** An identifier the insert skipped is held by another subject: 409 naming that subject. */
  private async refuseLost(
    m: EntityManager,
    rows: { id: string; subjectId: string; kind: IdentifierKind; systemKey: string; blindIndex: Buffer }[],
    inserted: Set<string>,
  ): Promise<void> {
    const lost = rows.find((r) => !inserted.has(r.id));
    if (!lost) return;
    // Already committed by another transaction (ON CONFLICT waited for it), or a concurrent one won.
    const owners = await this.identifiers.findOwners(lost.kind, [lost.blindIndex], m);
    const owner = owners.find((o) => o.systemKey === lost.systemKey) ?? owners[0];
    this.exists(owner?.subjectId ?? lost.subjectId);
  }

  /**
   * Replaces the subject's primary identifier of one kind (and, for external ids, one system). Other
   * identifiers of that kind, gathered by merges, stay. Returns whether anything changed.
   */
  private async replaceIdentifier(
    m: EntityManager,
    handle: SubjectKeyHandle,
    current: SubjectIdentifier[],
    change: { field: string; kind: IdentifierKind; systemKey: string; next: IdentifierInput | null },
  ): Promise<boolean> {
    const sameSlot = (i: SubjectIdentifier) => i.kind === change.kind && i.systemKey === change.systemKey;
    const primary = current.find((i) => sameSlot(i) && i.isPrimary);
    if (!change.next) {
      if (!primary) return false;
      await this.identifiers.deleteIdentifiers(m, [primary.id]);
      return true;
    }
    const index = this.crypto.blindIndex(change.kind, change.next.value);
    const existing = current.find((i) => sameSlot(i) && i.blindIndex.equals(index));
    if (existing?.isPrimary) return false;
    if (existing) {
      // Already one of the subject's own (from a merge): promote it rather than add a duplicate.
      if (primary) await this.identifiers.setPrimary(m, primary.id, false);
      await this.identifiers.setPrimary(m, existing.id, true);
      return true;
    }
    await this.refuseTaken(m, [change.next], handle.subjectId);
    if (primary) await this.identifiers.deleteIdentifiers(m, [primary.id]);
    await this.insertIdentifiers(m, handle, [change.next], true);
    return true;
  }

  private identifierChanges(input: UpdateSubjectInput) {
    const given = normaliseIdentifiers({
      email: input.email ?? undefined,
      phone: input.phone ?? undefined,
      externalId: input.externalId ?? undefined,
      // Removing an external id names its system without a value; the slug is still checked.
      externalSystem: input.externalSystem ?? undefined,
      externalSystemOnly: input.externalId === null,
    });
    const slot = (field: 'email' | 'phone' | 'externalId', kind: IdentifierKind) => {
      if (input[field] === undefined) return [];
      const systemKey = field === 'externalId' ? (input.externalSystem ?? '') : '';
      return [{ field, kind, systemKey, next: given.find((g) => g.field === field) ?? null }];
    };
    return [...slot('email', 'email'), ...slot('phone', 'phone'), ...slot('externalId', 'external_id')];
  }

  private validProfile(input: UpdateSubjectInput): Partial<Record<ProfileField, string>> {
    const out: Partial<Record<ProfileField, string>> = {};
    if (input.firstName) out.firstName = input.firstName.trim();
    if (input.lastName) out.lastName = input.lastName.trim();
    if (input.birthDate) out.birthDate = parseBirthDate(input.birthDate, todayUtc());
    if (input.locale) out.locale = parseLocale(input.locale);
    return out;
  }

  private encryptProfile(handle: SubjectKeyHandle, profile: Partial<Record<ProfileField, string>>): Partial<Subject> {
    const out: Record<string, Buffer> = {};
    for (const [field, value] of Object.entries(profile) as [ProfileField, string][]) {
      const { column, property } = PROFILE_FIELDS[field];
      out[property] = handle.encrypt(column, value);
    }
    return out as Partial<Subject>;
  }
}
