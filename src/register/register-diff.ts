import type { Register, RegisterActivity, RegisterRow } from './register.types';
import { registerText } from './register-text';

export interface FieldChange {
  field: string;
  header: string;
  old: string | null;
  new: string | null;
}

export interface RegisterDiff {
  controller: FieldChange[];
  added: RegisterRow[];
  removed: RegisterRow[];
  changed: { key: string; name: string; fields: FieldChange[] }[];
}

// The controller's fields a sign-off compares; their names are `registerText.field.<key>` in the catalogue.
const CONTROLLER_FIELDS: { field: string; key: string; of: (r: Register) => unknown }[] = [
  { field: 'name', key: 'name', of: (r) => r.controller.name },
  { field: 'address', key: 'address', of: (r) => r.controller.address },
  { field: 'contact', key: 'contact', of: (r) => r.controller.contact },
  { field: 'dpo.name', key: 'dpoName', of: (r) => r.controller.dpo.name },
  { field: 'dpo.contact', key: 'dpoContact', of: (r) => r.controller.dpo.contact },
  { field: 'representative', key: 'representative', of: (r) => r.controller.representative },
  { field: 'jointControllers', key: 'jointControllers', of: (r) => r.controller.jointControllers },
];

const text = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v);

/**
 * What changed between a signed-off register and the current one (LEGAL item 30): activities added and
 * removed by key, and cell by cell for the rest, in the language both were generated in.
 */
export function diffRegisters(before: Register | null, after: Register): RegisterDiff {
  const headerOf = new Map(after.columns.map((c) => [c.key, c.header]));
  const controller: FieldChange[] = [];
  if (before) {
    for (const f of CONTROLLER_FIELDS) {
      const o = text(f.of(before));
      const n = text(f.of(after));
      if (o !== n) {
        controller.push({ field: f.field, header: registerText(after.lang, `field.${f.key}`), old: o, new: n });
      }
    }
  }
  const old = new Map((before?.activities ?? []).map((a) => [a.key, a]));
  const now = new Map(after.activities.map((a) => [a.key, a]));
  const pick = (a: RegisterRow): RegisterRow => ({ lp: a.lp, key: a.key, name: a.name, row: a.row });
  const changed: RegisterDiff['changed'] = [];
  for (const [key, a] of now) {
    const b = old.get(key);
    if (!b) continue;
    const fields: FieldChange[] = [];
    // Lp. only moves when another activity comes or goes; that change is reported as the activity itself.
    for (const col of Object.keys(a.row).filter((k) => k !== 'lp')) {
      if ((b.row[col] ?? null) !== (a.row[col] ?? null)) {
        fields.push({ field: col, header: headerOf.get(col) ?? col, old: b.row[col] ?? null, new: a.row[col] ?? null });
      }
    }
    if (fields.length) changed.push({ key, name: a.name, fields });
  }
  return {
    controller,
    added: [...now.values()].filter((a) => !old.has(a.key)).map(pick),
    removed: [...old.values()].filter((a) => !now.has(a.key)).map(pick),
    changed,
  };
}

export const isEmptyDiff = (d: RegisterDiff): boolean =>
  !d.controller.length && !d.added.length && !d.removed.length && !d.changed.length;

/** Ids of the records an activity is made of: the audit entries about them explain its changes. */
export function sourcesOf(a: RegisterRow | undefined): { systems: string[]; policies: string[] } {
  const act = a as Partial<RegisterActivity> | undefined;
  return {
    systems: (act?.systems ?? []).map((s) => s.id),
    policies: (act?.plannedErasure ?? []).map((p) => p.policyId),
  };
}
