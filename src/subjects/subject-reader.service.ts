import type { EntityManager } from 'typeorm';
import { Injectable } from '@nestjs/common';
import type { IdentifierKind } from '../common/identifiers/normalise';
import { holdColumn, identifierColumn, SubjectCipher, SubjectKeyHandle } from './subject-cipher';
import { SubjectHold } from './subject-hold.entity';
import { SubjectIdentifier } from './subject-identifier.entity';
import { SubjectKey } from './subject-key.entity';
import { HoldBasis, SubjectLocale } from './subject-rules';
import { Subject, SubjectStatus } from './subject.entity';
import { SubjectHoldsRepository } from './subject-holds.repository';
import { SubjectIdentifiersRepository } from './subject-identifiers.repository';
import { SubjectKeysRepository } from './subject-keys.repository';
import { profileHold, profileIdentifier, profileSubject } from './subject-profile-rows';
import { ContactKind, ContactRow, ProfileRow, SubjectProfilesRepository } from './subject-profiles.repository';
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
  legalBasis: HoldBasis | null;
  /** Empty: everything. */
  categories: string[];
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
  restriction: {
    reason: string | null;
    since: Date;
    /** Art. 18(3): the notice on its way; the restriction ends when it is sent. */
    liftNotice: { id: string; requestedAt: Date } | null;
  } | null;
  objections: { directMarketingSince: Date | null; purposes: string[] };
  holds: DecryptedHold[];
  mergedIds: string[];
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt: Date;
  erasedAt: Date | null;
}

/** `externalId`: the unscoped external id, the one the company's own tools know the person by. */
export type SubjectAddresses = Pick<SubjectContact, 'email' | 'phone'> & { externalId?: string };

export interface SubjectContact {
  email?: string;
  phone?: string;
  locale: SubjectLocale;
  firstName?: string;
}

const KIND_ORDER: IdentifierKind[] = ['email', 'phone', 'external_id'];
/** Profile order: e-mail, phone, external id; the primary first within a kind. */
export const byKind = (rows: SubjectIdentifier[]) =>
  [...rows].sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || Number(b.isPrimary) - Number(a.isPrimary),
  );

export const isHoldActive = (h: SubjectHold, now = new Date()) =>
  !h.releasedAt && (!h.endsAt || h.endsAt.getTime() > now.getTime());

/** Reads and decrypts subjects. Callers pass survivor ids (SubjectLookupService resolves merges). */
@Injectable()
export class SubjectReader {
  constructor(
    private readonly subjects: SubjectsRepository,
    private readonly profileRows: SubjectProfilesRepository,
    private readonly identifiers: SubjectIdentifiersRepository,
    private readonly keys: SubjectKeysRepository,
    private readonly holdRows: SubjectHoldsRepository,
    private readonly cipher: SubjectCipher,
  ) {}

  /** The profile of `id`, or of its survivor when it was merged away; one statement. */
  async profile(id: string): Promise<SubjectProfile | null> {
    return (await this.profiles([id])).get(id) ?? null;
  }

  /**
   * Profiles of several ids, keyed by the id given (a merged id answers with its survivor's profile);
   * one statement for subject, key, identifiers, holds and merged ids whatever the count.
   */
  profiles(ids: string[]): Promise<Map<string, SubjectProfile>> {
    return this.assembleAll(this.profileRows.profileRows(ids));
  }

  /** Profiles of the holders of an identifier (by its blind index), at most `limit`; one statement. */
  async profilesByIndex(
    kind: IdentifierKind,
    index: Buffer,
    system: string | null,
    limit: number,
  ): Promise<SubjectProfile[]> {
    return [...(await this.assembleAll(this.profileRows.profileRowsByIndex(kind, index, system, limit))).values()];
  }

  private async assembleAll(found: Promise<ProfileRow[]>): Promise<Map<string, SubjectProfile>> {
    const out = new Map<string, SubjectProfile>();
    for (const r of await found) {
      const subject = profileSubject(r);
      const key = r.wrapped_key ? { wrappedKey: r.wrapped_key, keyVersion: r.key_version! } : null;
      const identifiers = key ? byKind((r.identifiers ?? []).map(profileIdentifier)) : [];
      out.set(r.given, this.assemble(subject, key, identifiers, (r.holds ?? []).map(profileHold), r.merged_ids));
    }
    return out;
  }

  private assemble(
    subject: Subject,
    key: Pick<SubjectKey, 'wrappedKey' | 'keyVersion'> | null,
    identifiers: SubjectIdentifier[],
    holds: SubjectHold[],
    mergedIds: string[],
  ): SubjectProfile {
    const id = subject.id;
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
    const subject = await this.subjects.findSubject(id);
    const key = subject ? await this.keys.findKey(id) : null;
    if (!subject || !key || subject.status === 'erased') return null;
    const identifiers = (await this.identifiers.identifiersOf(id)).filter((i) => i.kind !== 'external_id');
    return this.decryptContact(subject, key, identifiers);
  }

  /** `contact` for a subject the caller holds locked, on the caller's connection (no second pool connection). */
  async contactIn(m: EntityManager, subject: Subject): Promise<SubjectContact | null> {
    const key = await this.keys.findKey(subject.id, m);
    if (!key || subject.status === 'erased') return null;
    const identifiers = (await this.identifiers.identifiersOf(subject.id, m)).filter((i) => i.kind !== 'external_id');
    return this.decryptContact(subject, key, identifiers);
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

  /**
   * `contact` for many ids in one statement, keyed by the ids given (a merged id answers with its
   * survivor's contact); unknown and erased subjects are absent. The audience stream's page.
   */
  contacts(ids: string[]): Promise<Map<string, SubjectContact>>;
  /** Identifiers only (by default e-mail and phone): the locale and first name are neither read nor decrypted. */
  contacts(ids: string[], only: 'addresses', kinds?: ContactKind[]): Promise<Map<string, SubjectAddresses>>;
  async contacts(
    ids: string[],
    only?: 'addresses',
    kinds: ContactKind[] = ['email', 'phone'],
  ): Promise<Map<string, SubjectContact | SubjectAddresses>> {
    const bySubject = new Map<string, ContactRow[]>();
    for (const r of await this.profileRows.contactRows(ids, only === 'addresses', kinds)) {
      const list = bySubject.get(r.given);
      if (list) list.push(r);
      else bySubject.set(r.given, [r]);
    }
    const out = new Map<string, SubjectContact | SubjectAddresses>();
    for (const [given, rows] of bySubject) {
      const r = rows[0];
      out.set(
        given,
        this.cipher.with(r.id, r.wrapped_key, r.key_version, (k) => {
          const contact: SubjectAddresses = {};
          for (const row of rows) {
            if (row.kind && row.identifier_id && row.value_enc) {
              contact[row.kind === 'external_id' ? 'externalId' : row.kind] = k.decrypt(
                identifierColumn(row.identifier_id),
                row.value_enc,
              );
            }
          }
          if (only === 'addresses') return contact;
          const full: SubjectContact = {
            ...contact,
            locale: (k.decryptOrNull('locale', r.locale_enc) as SubjectLocale) ?? 'pl',
          };
          const firstName = k.decryptOrNull('first_name', r.first_name_enc);
          if (firstName) full.firstName = firstName;
          return full;
        }),
      );
    }
    return out;
  }

  async holds(id: string): Promise<DecryptedHold[]> {
    const [holds, key] = await Promise.all([this.holdRows.holdsOf(id), this.keys.findKey(id)]);
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
      legalBasis: h.legalBasis,
      categories: h.categories,
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
      restriction: subject.restrictedAt
        ? {
            reason: subject.restrictionReason,
            since: subject.restrictedAt,
            liftNotice: subject.restrictionLiftNoticeId
              ? { id: subject.restrictionLiftNoticeId, requestedAt: subject.restrictionLiftRequestedAt! }
              : null,
          }
        : null,
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
