import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequireScopes } from '../common/auth/scopes';
import { ProblemError } from '../common/problem/problem.error';
import { Env } from '../config/env';
import { LoginService, ROLES, StaffSessions, UsersService, type Role } from '../users';
import { CsrfProtected } from '../web';
import { ConsolePage } from './console-error.filter';
import { FieldErrors, fieldErrors, invalidField, noErrors } from './console-forms';
import { act, Form, Id } from './console-pages';
import { ConsoleView, redirect } from './console-view';

const CREATE_FIELDS = ['email', 'role', 'password'] as const;
const PASSWORD_FIELDS = ['password'] as const;

const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/**
 * Console users for an admin: create with a role, change the role, disable, remove a lost second factor,
 * set a forgotten password, end every session. Each change ends the user's sessions (UsersService) and
 * is audited with the admin as the actor (Art. 32(1)(b) and (4): access only by those authorised).
 */
@ConsolePage()
@Controller('console/users')
export class ConsoleUsersController {
  constructor(
    private readonly view: ConsoleView,
    private readonly users: UsersService,
    private readonly login: LoginService,
    private readonly sessions: StaffSessions,
    private readonly env: Env,
  ) {}

  @Get()
  @RequireScopes('users:manage')
  async list(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    void reply.send(await this.listPage(req, reply, {}, noErrors(CREATE_FIELDS)));
  }

  @Post()
  @RequireScopes('users:manage')
  @CsrfProtected()
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Body() b: Form) {
    const email = String(b.email ?? '').trim();
    try {
      if (!isRole(b.role)) throw invalidField('role');
      const by = req.principal!;
      const u = await this.users.create(email, b.role, String(b.password ?? ''), `${by.kind}:${by.id}`);
      redirect(reply, `/console/users/${u.id}?notice=created`);
    } catch (e) {
      const lang = this.view.lang(req, reply);
      const errors =
        e instanceof ProblemError && e.code === 'conflict'
          ? { ...noErrors(CREATE_FIELDS), email: this.view.t(lang, 'field.emailTaken') }
          : fieldErrors(this.view, lang, CREATE_FIELDS, e);
      if (!errors) throw e;
      void reply.send(await this.listPage(req, reply, { email, role: b.role ?? '' }, errors, 422));
    }
  }

  @Get(':id')
  @RequireScopes('users:manage')
  async user(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    void reply.send(await this.userPage(req, reply, id, noErrors(PASSWORD_FIELDS)));
  }

  @Post(':id/role')
  @RequireScopes('users:manage')
  @CsrfProtected()
  async role(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string, @Body() b: Form) {
    await act(reply, `/console/users/${id}`, 'role', async () => {
      if (!isRole(b.role)) throw invalidField('role');
      await this.users.update(this.notSelf(req, id), { role: b.role });
    });
  }

  @Post(':id/disabled')
  @RequireScopes('users:manage')
  @CsrfProtected()
  async disabled(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    const disabled = b.disabled === 'true';
    await act(reply, `/console/users/${id}`, disabled ? 'disabled' : 'enabled', () =>
      this.users.update(this.notSelf(req, id), { disabled }),
    );
  }

  @Post(':id/totp-reset')
  @RequireScopes('users:manage')
  @CsrfProtected()
  async totpReset(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/users/${id}`, 'totpreset', () =>
      this.users.update(this.notSelf(req, id), { totp: false }),
    );
  }

  @Post(':id/password')
  @RequireScopes('users:manage')
  @CsrfProtected()
  async password(
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
    @Param('id', Id()) id: string,
    @Body() b: Form,
  ) {
    try {
      await this.users.update(this.notSelf(req, id), { password: String(b.password ?? '') });
      redirect(reply, `/console/users/${id}?notice=passwordset`);
    } catch (e) {
      const errors = fieldErrors(this.view, this.view.lang(req, reply), PASSWORD_FIELDS, e);
      if (!errors) throw e;
      void reply.send(await this.userPage(req, reply, id, errors, 422));
    }
  }

  @Post(':id/logout-everywhere')
  @RequireScopes('users:manage')
  @CsrfProtected()
  async everywhere(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('id', Id()) id: string) {
    await act(reply, `/console/users/${id}`, 'sessions', async () => {
      await this.users.get(id);
      const by = req.principal!;
      await this.login.logoutEverywhere(id, { type: by.kind, id: by.id });
    });
  }

  /**
   * One's own account changes on the account page, where the current password proves who is at the screen;
   * here an admin could lock themselves out or step down from admin by a slip of the hand.
   */
  private notSelf(req: FastifyRequest, id: string): string {
    if (req.staffSession?.session.userId === id)
      throw new ProblemError('forbidden', 'Change your own account on the account page.');
    return id;
  }

  private async listPage(req: FastifyRequest, reply: FastifyReply, values: Form, errors: FieldErrors, status = 200) {
    const lang = this.view.lang(req, reply);
    const title = this.view.t(lang, 'users.title');
    const users = (await this.users.list(undefined, 500)).map((u) => this.users.view(u));
    return this.view.render(
      req,
      reply,
      'users',
      {
        title,
        users: users.map((u) => ({
          ...u,
          roleLabel: this.view.t(lang, `role.${u.role}`),
          manageLabel: this.view.t(lang, 'users.manageUser', { email: u.email }),
        })),
        roles: this.roleOptions(lang, values.role ?? null),
        values: { email: values.email ?? '' },
        errors,
        minLength: this.env.STAFF_PASSWORD_MIN_LENGTH,
      },
      { lang, title, status },
    );
  }

  private async userPage(req: FastifyRequest, reply: FastifyReply, id: string, errors: FieldErrors, status = 200) {
    const lang = this.view.lang(req, reply);
    const u = this.users.view(await this.users.get(id));
    const title = this.view.t(lang, 'user.title', { email: u.email });
    return this.view.render(
      req,
      reply,
      'user',
      {
        title,
        user: { ...u, roleLabel: this.view.t(lang, `role.${u.role}`), sessions: await this.sessions.count(id) },
        self: req.staffSession?.session.userId === id,
        roles: this.roleOptions(lang, u.role),
        errors,
        minLength: this.env.STAFF_PASSWORD_MIN_LENGTH,
      },
      { lang, title, status, wide: false },
    );
  }

  private roleOptions(lang: ReturnType<ConsoleView['lang']>, selected: string | null) {
    return ROLES.map((r) => ({
      value: r,
      label: this.view.t(lang, `role.${r}`),
      what: this.view.t(lang, `users.roleWhat.${r}`),
      selected: r === selected,
    }));
  }
}
