/** Art. 6(1) lawful bases. The values are persisted: never rename one. */
export enum LegalBasis {
  Consent = 'consent',
  Contract = 'contract',
  LegalObligation = 'legal_obligation',
  VitalInterests = 'vital_interests',
  PublicTask = 'public_task',
  LegitimateInterests = 'legitimate_interests',
}

/** Art. 9(2)(a)-(j): the exception that lets special-category (e.g. health) data be processed. */
export enum SpecialCategoryBasis {
  ExplicitConsent = 'art_9_2_a',
  Employment = 'art_9_2_b',
  VitalInterests = 'art_9_2_c',
  NotForProfit = 'art_9_2_d',
  MadePublic = 'art_9_2_e',
  LegalClaims = 'art_9_2_f',
  SubstantialPublicInterest = 'art_9_2_g',
  HealthCare = 'art_9_2_h',
  PublicHealth = 'art_9_2_i',
  Archiving = 'art_9_2_j',
}

/** Prawo komunikacji elektronicznej art. 398: consent is given per channel, and one never covers another. */
export enum Channel {
  Email = 'email',
  Sms = 'sms',
  Phone = 'phone',
  AutoCall = 'auto_call',
  Push = 'push',
  Post = 'post',
}

/** Channels where direct marketing needs prior consent whatever the Art. 6 basis (PKE art. 398). */
export const ELECTRONIC_CHANNELS: readonly Channel[] = [
  Channel.Email,
  Channel.Sms,
  Channel.Phone,
  Channel.AutoCall,
  Channel.Push,
];

export enum ConsentDecision {
  Granted = 'granted',
  Refused = 'refused',
  Withdrawn = 'withdrawn',
}

/** What an event records: a decision, or the confirmation of a pending double opt-in grant. */
export enum ConsentEventKind {
  Granted = 'granted',
  Refused = 'refused',
  Withdrawn = 'withdrawn',
  Confirmed = 'confirmed',
}

export enum SourceMethod {
  Web = 'web',
  Store = 'store',
  Phone = 'phone',
  Email = 'email',
  Import = 'import',
  Api = 'api',
}

export enum ExpressedBy {
  Subject = 'subject',
  Guardian = 'guardian',
  Staff = 'staff',
}

/** Why an event's decision differs from what was asked, or how it came about. */
export enum EventReason {
  Gpc = 'gpc',
  UnsubscribeLink = 'unsubscribe_link',
  DoubleOptIn = 'double_opt_in',
  /** Art. 21(3): withdrawn by the subject's objection to direct marketing. */
  Objection = 'objection',
}

export enum DecisionReason {
  Granted = 'granted',
  /** Processing rests on an Art. 6 basis other than consent and needs none (our extension of the contract). */
  LegalBasis = 'legal_basis',
  NoConsent = 'no_consent',
  Refused = 'refused',
  Withdrawn = 'withdrawn',
  Expired = 'expired',
  ReconsentRequired = 'reconsent_required',
  Objected = 'objected',
  Restricted = 'restricted',
  Erased = 'erased',
  Suppressed = 'suppressed',
  UnderAge = 'under_age',
  UnknownSubject = 'unknown_subject',
  ChannelNotConsented = 'channel_not_consented',
}

/** Art. 8 as adopted in Poland: the age of digital consent is 16. */
export const AGE_OF_DIGITAL_CONSENT = 16;

export const PURPOSE_KEY_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
export const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[A-Z]{2})?$/;
