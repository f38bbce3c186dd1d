import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SessionsEnded, StaffUserDetail, StaffUserView } from './users.responses';
import { CurrentPrincipal, Principal } from '../common/auth/principal';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { LoginService } from './login.service';
import { StaffSessions } from './staff-sessions.service';
import { CreateUserDto, UpdateUserDto } from './users.dto';
import { UsersService } from './users.service';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

const Id = () => new ParseUUIDPipe({ version: '4' });

@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly login: LoginService,
    private readonly sessions: StaffSessions,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: StaffUserView })
  @ApiProblem('conflict')
  @RequireScopes('users:manage')
  @Idempotent<UsersController, StaffUserView>({
    ref: (b) => ({ id: b.id }),
    replay: async (c, r) => c.users.view(await c.users.get(String(r.id))),
  })
  @ApiOperation({ summary: 'Create a staff user with a role (admin, dpo, staff, marketing)' })
  async create(@Body() dto: CreateUserDto, @CurrentPrincipal() by: Principal) {
    const u = await this.users.create(dto.email, dto.role, dto.password, `${by.kind}:${by.id}`);
    return this.users.view(u);
  }

  @Get()
  @ApiPage(StaffUserView)
  @ApiOperation({ summary: 'Staff users, oldest first' })
  @RequireScopes('users:manage')
  async list(@Query() q: ListQuery) {
    const cursor = decodeCursor<{ createdAt: string }>(q.cursor, ['createdAt']);
    const rows = await this.users.list(cursor?.createdAt, q.limit + 1);
    return pageOf(
      rows,
      q.limit,
      (u) => this.users.view(u),
      (u) => ({ createdAt: u.createdAt.toISOString() }),
    );
  }

  @Get(':id')
  @ApiOkResponse({ type: StaffUserDetail })
  @ApiOperation({ summary: 'A staff user with the number of open sessions' })
  @RequireScopes('users:manage')
  async get(@Param('id', Id()) id: string): Promise<StaffUserDetail> {
    const u = await this.users.get(id);
    return { ...this.users.view(u), activeSessions: await this.sessions.count(id) };
  }

  @Patch(':id')
  @ApiOkResponse({ type: StaffUserView })
  @RequireScopes('users:manage')
  @ApiOperation({ summary: 'Change the role, disable or enable, set a password, remove the second factor' })
  async update(@Param('id', Id()) id: string, @Body() dto: UpdateUserDto) {
    return this.users.view(await this.users.update(id, dto));
  }

  @Post(':id/logout-everywhere')
  @ApiOkResponse({ type: SessionsEnded })
  @HttpCode(200)
  @RequireScopes('users:manage')
  @ApiOperation({ summary: 'End every session of this user' })
  async logoutEverywhere(@Param('id', Id()) id: string, @CurrentPrincipal() by: Principal): Promise<SessionsEnded> {
    await this.users.get(id);
    return { sessionsEnded: await this.login.logoutEverywhere(id, { type: by.kind, id: by.id }) };
  }
}
