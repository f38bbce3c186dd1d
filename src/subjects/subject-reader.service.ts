import { Injectable } from '@nestjs/common';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { holdColumn, identifierColumn, SubjectCipher, SubjectKeyHandle } from './subject-cipher';
import { SubjectHold } from './subject-hold.entity';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectKey } from './subject-key.entity';
import { SubjectLocale } from './subject-rules';
import { Subject, SubjectStatus } from './subject.entity';
import { SubjectsRepository } from './subjects.repository';

export interface DecryptedIdentifier {
  id: string;
  kind: IdentifierKind;
  value: string;
  system: string | null;
  primary: boolean;
}

export interface DecryptedHold {
  id: string;
  reason: string | null;
  endsAt: Date | null;
  createdAt: Date;
  createdBy: string;
  releasedAt: Date | null;
  releasedBy: string | null;
  active: boolean;
}

/** Everything Zgoda holds about a subject in its own tables, decrypted (Art. 15 access, the console view). */
export interface SubjectProfile {
  id: string;
  status: SubjectStatus;
  email: string | null;
  phone: string | null;
  externalId: string | null;
  identifiers: DecryptedIdentifier[];
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  locale: SubjectLocale | null;
  minorUntil: string | null;
  restriction: { reason: string | null; since: Date } | null;
  objections: { directMarketingSince: Date | null; purposes: string[] };
  holds: DecryptedHold[];
  mergedIds: string[];
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date;
  erasedAt: Date | null;
}

export interface SubjectContact {
  email?: string;
  phone?: string;
  locale: SubjectLocale;
  firstName?: string;
}

const KIND_ORDER: IdentifierKind[] = ['email', 'phone', 'external_id'];
const byKind = (rows: SubjectIdentifier[]) =>
  [...rows].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || Number(b.isPrimary) - Number(a.isPrimary),
  );

export const isHoldActive = (h: SubjectHold, now = new Date()) =>
  !h.releasedAt && (!h.endsAt || h.endsAt.getTime() > now.getTime());

/** Reads and decrypts subjects. Callers pass survivor ids (SubjectsService resolves merges). */
@Injectable()
export class SubjectReader {
  constructor(
    private readonly repo: SubjectsRepository,
    private readonly cipher: SubjectCipher,
  ) {}

  async profile(id: string): Promise<SubjectProfile | null> {
    const found = await this.repo.findWithKey(id);
    if (!found) return null;
    const { subject, key } = found;
    const [identifiers, holds, mergedIds] = await Promise.all([
      key ? this.repo.identifiersOf(id).then(byKind) : Promise.resolve([]),
      this.repo.holdsOf(id),
      this.repo.mergedInto(id),
    ]);
    if (!key) return this.shell(subject, this.holdsWithoutReasons(holds), mergedIds);
    return this.cipher.with(id, key.wrappedKey, key.keyVersion, (k) => {
      const ids = identifiers.map((i) => ({
        id: i.id,
        kind: i.kind,
        value: k.decrypt(identifierColumn(i.id), i.valueEnc),
        system: i.systemKey || null,
        primary: i.isPrimary,
      }));
      const primary = (kind: IdentifierKind) =>
        (ids.find((i) => i.kind === kind && i.primary) ?? ids.find((i) => i.kind === kind))?.value ?? null;
      return {
        ...this.shell(subject, this.decryptHolds(k, holds), mergedIds),
        email: primary('email'),
        phone: primary('phone'),
        externalId: primary('external_id'),
        identifiers: ids,
        firstName: k.decryptOrNull('first_name', subject.firstNameEnc),
        lastName: k.decryptOrNull('last_name', subject.lastNameEnc),
        birthDate: k.decryptOrNull('birth_date', subject.birthDateEnc),
        locale: k.decryptOrNull('locale', subject.localeEnc) as SubjectLocale | null,
      };
    });
  }

  /** Contact data only: the primary e-mail and phone, locale (Polish unless said otherwise), first name. */
  async contact(id: string): Promise<SubjectContact | null> {
    const found = await this.repo.findWithKey(id);
    if (!found?.key || found.subject.status === 'erased') return null;
    const identifiers = (await this.repo.identifiersOf(id)).filter((i) => i.kind !== 'external_id');
    return this.decryptContact(found.subject, found.key, identifiers);
  }

  private decryptContact(subject: Subject, key: SubjectKey, identifiers: SubjectIdentifier[]): SubjectContact {
    return this.cipher.with(subject.id, key.wrappedKey, key.keyVersion, (k) => {
      const out: SubjectContact = { locale: (k.decryptOrNull('locale', subject.localeEnc) as SubjectLocale) ?? 'pl' };
      for (const kind of ['email', 'phone'] as const) {
        const row = identifiers.find((i) => i.kind === kind && i.isPrimary) ?? identifiers.find((i) => i.kind === kind);
        if (row) out[kind] = k.decrypt(identifierColumn(row.id), row.valueEnc);
      }
      const firstName = k.decryptOrNull('first_name', subject.firstNameEnc);
      if (firstName) out.firstName = firstName;
      return out;
    });
  }

  /** `contact` for many survivor ids at once: three queries for the lot (the audience stream's page). */
  async contacts(ids: string[]): Promise<Map<string, SubjectContact>> {
    const [found, identifiers] = await Promise.all([
      this.repo.findManyWithKeys(ids),
      this.repo.contactIdentifiersOf(ids),
    ]);
    const byOwner = new Map<string, SubjectIdentifier[]>();
    for (const i of identifiers) {
      const list = byOwner.get(i.subjectId);
      if (list) list.push(i);
      else byOwner.set(i.subjectId, [i]);
    }
    const out = new Map<string, SubjectContact>();
    for (const [id, { subject, key }] of found) {
      if (!key || subject.status === 'erased') continue;
      out.set(id, this.decryptContact(subject, key, byOwner.get(id) ?? []));
    }
    return out;
  }

  async holds(id: string): Promise<DecryptedHold[]> {
    const [holds, key] = await Promise.all([this.repo.holdsOf(id), this.repo.findKey(id)]);
    if (!key) return this.holdsWithoutReasons(holds);
    return this.cipher.with(id, key.wrappedKey, key.keyVersion, (k) => this.decryptHolds(k, holds));
  }

  private decryptHolds(k: SubjectKeyHandle, holds: SubjectHold[]): DecryptedHold[] {
    return holds.map((h) => ({ ...this.holdShell(h), reason: k.decryptOrNull(holdColumn(h.id), h.reasonEnc) }));
  }

  private holdsWithoutReasons(holds: SubjectHold[]): DecryptedHold[] {
    return holds.map((h) => ({ ...this.holdShell(h), reason: null }));
  }

  private holdShell(h: SubjectHold) {
    return {
      id: h.id,
      endsAt: h.endsAt,
      createdAt: h.createdAt,
      createdBy: h.createdBy,
      releasedAt: h.releasedAt,
      releasedBy: h.releasedBy,
      active: isHoldActive(h),
    };
  }

  /** The non-personal part, which is all that is left of an erased subject. */
  private shell(subject: Subject, holds: DecryptedHold[], mergedIds: string[]): SubjectProfile {
    return {
      id: subject.id,
      status: subject.status,
      email: null,
      phone: null,
      externalId: null,
      identifiers: [],
      firstName: null,
      lastName: null,
      birthDate: null,
      locale: null,
      minorUntil: subject.minorUntil,
      restriction: subject.restrictedAt ? { reason: subject.restrictionReason, since: subject.restrictedAt } : null,
      objections: { directMarketingSince: subject.objectedDirectMarketingAt, purposes: subject.objectedPurposes },
      holds,
      mergedIds,
      createdAt: subject.createdAt,
      updatedAt: subject.updatedAt,
      lastActivityAt: subject.lastActivityAt,
      erasedAt: subject.erasedAt,
    };
  }
}
