import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../auth';
import { UsersService } from '../users';
import type { PageLang } from '../rendering';
import { ConsoleView } from './console-view';

// The kinds of object the console names in words; any other is "object" with its id.
const TARGETS = new Set([
  'api_key',
  'breach',
  'consent',
  'consent_import',
  'purpose',
  'register',
  'request',
  'request_task',
  'retention_policy',
  'retention_run',
  'staff_user',
  'subject',
  'subject_hold',
  'system',
]);

/** An audit entry as the audit module stores it (ids only). */
export interface AuditRecord {
  seq: string;
  occurredAt: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
}

/**
 * Who did something, as a person reads it: the service records `<kind>:<id>` (never a name, Art. 5(1)(c)), and the
 * console, which staff sign in to, names staff by their e-mail and keys by their name.
 */
@Injectable()
export class ConsoleNames {
  constructor(
    private readonly users: UsersService,
    private readonly keys: ApiKeysService,
    private readonly view: ConsoleView,
  ) {}

  async nameOf(actor: string | null, lang: PageLang): Promise<string | null> {
    if (!actor) return null;
    const [kind, id] = [actor.slice(0, actor.indexOf(':')), actor.slice(actor.indexOf(':') + 1)];
    if (kind === 'staff') {
      const user = await this.users.find(id);
      // A user removed since keeps the id the record holds: still who it was, only unnamed.
      return user ? this.users.view(user).email : this.view.t(lang, 'actor.goneUser', { id });
    }
    if (kind === 'api_key') {
      const key = await this.keys.find(id);
      return this.view.t(lang, 'actor.key', { name: key?.name ?? id });
    }
    if (kind === 'system') return this.view.t(lang, 'actor.system');
    // A signed link in an e-mail (unsubscribe, the preference centre, a request's confirmation): the person.
    if (kind === 'subject_token') return this.view.t(lang, 'actor.person');
    return actor;
  }

  /** Audit entries as staff read them: who by name, the kind of object in words, the time as an instant. */
  auditEntries(rows: readonly AuditRecord[], lang: PageLang) {
    // A hundred entries are made by a handful of people and keys: each is looked up once.
    const seen = new Map<string, Promise<string | null>>();
    const nameOnce = (actor: string) => {
      if (!seen.has(actor)) seen.set(actor, this.nameOf(actor, lang));
      return seen.get(actor)!;
    };
    return Promise.all(
      rows.map(async (e) => ({
        seq: e.seq,
        occurredAt: e.occurredAt.toISOString(),
        action: e.action,
        actionLabel: this.view.textOrNull(lang, `auditAction.${e.action}`),
        who: (await nameOnce(`${e.actorType}:${e.actorId ?? ''}`)) ?? '',
        targetLabel: this.view.t(lang, `target.${TARGETS.has(e.targetType) ? e.targetType : 'other'}`),
        targetId: e.targetId ?? '',
      })),
    );
  }
}
