import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../auth';
import { UsersService } from '../users';
import type { PageLang } from '../web';
import { ConsoleView } from './console-view';

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
    return actor;
  }
}
