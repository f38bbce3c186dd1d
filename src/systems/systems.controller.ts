import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SystemResponse } from './systems.responses';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import { systemView } from './system.view';
import { CreateSystemDto, SystemListQuery, UpdateSystemDto } from './systems.dto';
import { SystemsService } from './systems.service';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

@ApiTags('systems')
@Controller('v1/systems')
export class SystemsController {
  constructor(private readonly systems: SystemsService) {}

  @Post()
  @ApiCreatedResponse({ type: SystemResponse })
  @ApiProblem('system_exists')
  @RequireScopes('systems:manage')
  @Idempotent<SystemsController, SystemResponse>({
    ref: (b) => ({ id: b.id }),
    replay: (c, r) => c.get(String(r.id)),
  })
  @ApiOperation({ summary: 'Register a data system' })
  async create(@Body() dto: CreateSystemDto) {
    return systemView(await this.systems.create(dto));
  }

  @Get()
  @ApiPage(SystemResponse)
  @RequireScopes('systems:manage')
  @ApiOperation({ summary: 'Data systems, by key' })
  async list(@Query() q: SystemListQuery) {
    const cursor = decodeCursor<{ key: string }>(q.cursor, ['key']);
    const rows = await this.systems.list(cursor?.key, q.limit + 1);
    return pageOf(rows, q.limit, systemView, (s) => ({ key: s.key }));
  }

  @Get(':key')
  @ApiOkResponse({ type: SystemResponse })
  @RequireScopes('systems:manage')
  @ApiOperation({ summary: 'A data system by key (or id)' })
  async get(@Param('key') key: string) {
    return systemView(await this.systems.get(key));
  }

  @Patch(':key')
  @ApiOkResponse({ type: SystemResponse })
  @ApiProblem('conflict')
  @RequireScopes('systems:manage')
  @ApiOperation({ summary: 'Change a data system; the key is immutable' })
  async update(@Param('key') key: string, @Body() dto: UpdateSystemDto) {
    return systemView(await this.systems.update(key, dto));
  }
}
