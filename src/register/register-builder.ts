import { LegalBasis } from '../consent';
import type { PurposeRecord } from '../consent';
import type { RetentionPolicyRecord } from '../retention';
import { EEA_COUNTRIES } from '../systems';
import type { SystemRecord } from '../systems';
import type { PartyContact } from './controller-settings.entity';
import type { RegisterActivityDetails } from './register-activity-details.entity';
import { columnsFor, RegisterColumn, RegisterLang, RegisterRole } from './register-columns';
import type {
  EffectiveController,
  ProcessorEntry,
  Register,
  RegisterActivity,
  RegisterGap,
  RegisterVersionInfo,
} from './register.types';
import { legalBasisIri, legalBasisText, retentionInWords, specialCategoryIri } from './register-words';
import { registerText } from './register-text';

/** Zgoda's own store (migration 1763800001000): it keeps the proof of every consent (Art. 7(1)). */
const ZGODA_SYSTEM = 'zgoda';
const CONSENT_RECORDS = 'consent_records';

export interface RegisterInput {
  role: RegisterRole;
  lang: RegisterLang;
  purposes: PurposeRecord[];
  systems: SystemRecord[];
  policies: RetentionPolicyRecord[];
  details: Map<string, RegisterActivityDetails>;
  controller: EffectiveController;
  version: RegisterVersionInfo;
  now: Date;
}

const party = (p: PartyContact): string => (p.contact ? `${p.name} (${p.contact})` : p.name);
const list = (items: string[]): string => items.join('; ');
const unique = (items: string[]): string[] => [...new Set(items.map((s) => s.trim()).filter(Boolean))];
const blank = (s: string | null | undefined): boolean => s === null || s === undefined || s.trim() === '';

interface Linked {
  system: SystemRecord;
  /** The categories this link carries; Zgoda's implicit link to a consent purpose carries only the proof. */
  categories: string[];
}

/** Systems holding the purpose's data: linked by purpose key, by a shared category, or Zgoda for consent. */
function linkedSystems(p: PurposeRecord, systems: SystemRecord[]): Linked[] {
  const out: Linked[] = [];
  for (const s of systems) {
    if (s.purposes.includes(p.key) || s.dataCategories.some((c) => p.dataCategories.includes(c))) {
      out.push({ system: s, categories: s.dataCategories });
    } else if (s.key === ZGODA_SYSTEM && p.legalBasis === LegalBasis.Consent) {
      out.push({ system: s, categories: [CONSENT_RECORDS] });
    }
  }
  return out;
}

/** The policies enforced on the purpose's data (LEGAL item 24): by purpose, or by a category it or its systems hold. */
function policiesFor(p: PurposeRecord, linked: Linked[], policies: RetentionPolicyRecord[]): RetentionPolicyRecord[] {
  return policies.filter((pol) => {
    if (pol.purposeKey !== null) return pol.purposeKey === p.key;
    const cat = pol.dataCategory!;
    // Proof of consent exists only where consent is the basis (Art. 7(1)), whichever system holds it.
    if (cat === CONSENT_RECORDS && p.legalBasis !== LegalBasis.Consent) return false;
    if (p.dataCategories.includes(cat)) return true;
    return linked.some((l) => l.categories.includes(cat) && (pol.systemKey === null || pol.systemKey === l.system.key));
  });
}

function header(c: RegisterColumn, lang: RegisterLang): string {
  return c[lang];
}

export function buildRegister(input: RegisterInput): Register {
  const { role, lang, controller } = input;
  const columns = columnsFor(role);
  const gaps: RegisterGap[] = [];
  const gap = (activity: string | null, column: string, severity: RegisterGap['severity'], message: string) => {
    const col = columns.find((c) => c.key === column);
    gaps.push({ activity, column, header: col ? header(col, lang) : column, severity, message });
  };
  const missing = (what: string) => registerText(lang, 'missing', { what: registerText(lang, `what.${what}`) });

  // Art. 30(1)(a): the name and the contact details; the environment gives a name, never an address.
  if (blank(controller.contact) && blank(controller.address)) {
    gaps.push({
      activity: null,
      column: 'controller',
      header: registerText(lang, 'controllerHeader'),
      severity: 'mandatory',
      message: registerText(lang, 'gap.controllerContact'),
    });
  }

  const activities =
    role === 'controller'
      ? input.purposes.map((p, i) => controllerActivity(input, p, i + 1, gap, missing))
      : processorEntries(input, gap, missing);

  return {
    role,
    lang,
    title: registerText(lang, `title.${role}`),
    generatedAt: input.now.toISOString(),
    controller: {
      name: controller.name,
      address: controller.address,
      contact: controller.contact,
      dpo: controller.dpo,
      representative: controller.representative,
      jointControllers: controller.jointControllers,
      defaults: controller.defaults,
    },
    version: input.version,
    columns: columns.map((c) => ({ key: c.key, header: header(c, lang), mandatory: c.mandatory })),
    activities,
    gaps,
  };
}

type GapFn = (activity: string | null, column: string, severity: RegisterGap['severity'], message: string) => void;

function controllerActivity(
  input: RegisterInput,
  p: PurposeRecord,
  lp: number,
  gap: GapFn,
  missing: (m: string) => string,
): RegisterActivity {
  const { lang, controller } = input;
  const details = input.details.get(p.key);
  const linked = linkedSystems(p, input.systems);
  const policies = policiesFor(p, linked, input.policies);

  const erasure = policies.map((pol) => {
    const text = retentionInWords(pol, lang);
    const scope =
      pol.purposeKey !== null
        ? null
        : pol.dataCategory === CONSENT_RECORDS
          ? registerText(lang, 'consentRecords')
          : pol.dataCategory;
    return {
      policyId: pol.id,
      policyKey: pol.key,
      period: pol.period,
      text: policies.length > 1 && scope ? `${scope}: ${text}` : text,
    };
  });
  let erasureCell = erasure.map((e) => e.text).join('\n');
  if (!erasure.length) {
    const message = registerText(lang, 'gap.noRetention');
    gap(p.key, 'erasure', 'mandatory', message);
    erasureCell =
      registerText(lang, 'missing', { what: message }) +
      (p.retention ? registerText(lang, 'gap.declared', { retention: p.retention }) : '');
  }

  if (blank(p.description)) {
    gap(p.key, 'purpose', 'mandatory', registerText(lang, 'gap.purpose'));
  }
  if (!p.subjectCategories.length) {
    gap(p.key, 'subjects', 'mandatory', registerText(lang, 'gap.subjects'));
  }
  if (!p.dataCategories.length) {
    gap(p.key, 'data', 'mandatory', registerText(lang, 'gap.data'));
  }

  // Processors named on the purpose, with the contact the data system gives where it names the same one.
  const systemProcessors: PartyContact[] = linked
    .filter((l) => l.system.processorName)
    .map((l) => ({ name: l.system.processorName!, contact: l.system.processorContact }));
  const processors: PartyContact[] = [...systemProcessors];
  for (const name of p.processors) {
    if (!processors.some((x) => x.name.toLowerCase() === name.toLowerCase())) processors.push({ name, contact: null });
  }
  const recipients = unique([...p.recipients, ...processors.map((x) => x.name)]);

  const transfers: RegisterActivity['transfers'] = p.transfers.map((t) => ({ destination: t, safeguards: null }));
  for (const { system: s } of linked) {
    if (s.processorCountry && !EEA_COUNTRIES.includes(s.processorCountry.toUpperCase())) {
      transfers.push({
        destination: `${s.processorName ?? s.name} (${s.processorCountry})`,
        safeguards: s.transferSafeguards,
      });
      if (blank(s.transferSafeguards)) {
        gap(
          p.key,
          'transfers',
          'mandatory',
          registerText(lang, 'gap.transfer', { country: s.processorCountry, system: s.key }),
        );
      }
    }
  }
  const documentation =
    details?.transferDocumentation ?? (list(unique(transfers.map((t) => t.safeguards ?? ''))) || null);

  const joint = controller.jointControllers.filter((j) => !j.purposes.length || j.purposes.includes(p.key));
  const security = details?.securityMeasures ?? controller.securityMeasures[lang];
  const dpia = details?.dpiaReference ?? null;
  if (p.specialCategoryBasis && blank(dpia)) {
    gap(p.key, 'dpia', 'recommended', registerText(lang, 'gap.dpia'));
  }

  const systems = linked.map((l) => ({ id: l.system.id, key: l.system.key, name: l.system.name }));
  const dataCells = [...p.dataCategories];
  if (p.specialCategoryBasis) dataCells.push(registerText(lang, 'specialCategory'));

  const row: Record<string, string> = {
    lp: String(lp),
    name: p.name,
    unit: details?.organisationalUnit ?? '',
    purpose: blank(p.description) ? missing('purpose') : p.description!,
    subjects: p.subjectCategories.length ? list(p.subjectCategories) : missing('subjects'),
    data: p.dataCategories.length ? list(dataCells) : missing('data'),
    legalBasis: legalBasisText(p.legalBasis, p.specialCategoryBasis, lang),
    source: details?.dataSource ?? '',
    erasure: erasureCell,
    jointControllers: joint.length ? list(joint.map(party)) : registerText(lang, 'none'),
    processors: processors.length ? list(processors.map(party)) : registerText(lang, 'none'),
    recipients: recipients.length ? list(recipients) : registerText(lang, 'noRecipients'),
    systems: list(systems.map((s) => s.name)),
    security,
    dpia: dpia ?? '',
    transfers: transfers.length ? list(transfers.map((t) => t.destination)) : registerText(lang, 'noTransfers'),
    transferDocumentation: documentation ?? (transfers.length ? '' : registerText(lang, 'none')),
  };

  return {
    lp,
    key: p.key,
    name: p.name,
    row,
    purpose: p.description,
    organisationalUnit: details?.organisationalUnit ?? null,
    dataSource: details?.dataSource ?? null,
    subjectCategories: p.subjectCategories,
    dataCategories: p.dataCategories,
    specialCategoryData: !!p.specialCategoryBasis,
    legalBasis: {
      basis: p.legalBasis,
      specialCategoryBasis: p.specialCategoryBasis,
      iris: [
        legalBasisIri(p.legalBasis),
        ...(p.specialCategoryBasis ? [specialCategoryIri(p.specialCategoryBasis)] : []),
      ],
    },
    plannedErasure: erasure,
    jointControllers: joint.map(({ name, contact }) => ({ name, contact })),
    processors,
    recipients,
    systems,
    securityMeasures: security,
    dpiaReference: dpia,
    transfers,
  };
}

/** Art. 30(2): one row per controller served, from the same purposes and systems. */
function processorEntries(input: RegisterInput, gap: GapFn, missing: (m: string) => string): ProcessorEntry[] {
  const { lang, controller } = input;
  if (!controller.processorClients.length) {
    gap(null, 'controller', 'mandatory', registerText(lang, 'gap.noClients'));
  }
  const byKey = new Map(input.purposes.map((p) => [p.key, p]));
  return controller.processorClients.map((client, i) => {
    const key = `client-${i + 1}`;
    const purposes = client.purposes.map((k) => byKey.get(k)).filter((p): p is PurposeRecord => !!p);
    for (const k of client.purposes.filter((k) => !byKey.has(k))) {
      gap(key, 'categories', 'mandatory', registerText(lang, 'gap.unknownPurpose', { key: k }));
    }
    if (!purposes.length) {
      gap(key, 'categories', 'mandatory', registerText(lang, 'gap.noCategories'));
    }
    const linked = purposes.flatMap((p) => linkedSystems(p, input.systems));
    const systems = [...new Map(linked.map((l) => [l.system.id, l.system])).values()];
    const transfers = unique([
      ...purposes.flatMap((p) => p.transfers),
      ...systems
        .filter((s) => s.processorCountry && !EEA_COUNTRIES.includes(s.processorCountry.toUpperCase()))
        .map(
          (s) =>
            `${s.processorName ?? s.name} (${s.processorCountry}${s.transferSafeguards ? `: ${s.transferSafeguards}` : ''})`,
        ),
    ]);
    return {
      lp: i + 1,
      key,
      name: client.name,
      controller: { name: client.name, contact: client.contact },
      representative: client.representative,
      dpo: client.dpo,
      purposes: purposes.map((p) => p.key),
      systems: systems.map((s) => ({ id: s.id, key: s.key, name: s.name })),
      row: {
        lp: String(i + 1),
        controller: party(client),
        representative: client.representative ? party(client.representative) : registerText(lang, 'none'),
        controllerDpo: client.dpo ? party(client.dpo) : '',
        categories: purposes.length
          ? list(purposes.map((p) => (p.description ? `${p.name}: ${p.description}` : p.name)))
          : missing('categories'),
        systems: list(systems.map((s) => s.name)),
        transfers: transfers.length ? list(transfers) : registerText(lang, 'noTransfers'),
        security: controller.securityMeasures[lang],
      },
    };
  });
}
