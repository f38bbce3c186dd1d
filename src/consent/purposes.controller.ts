import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  PublishedVersionResponse,
  PurposeResponse,
  TextDraftResponse,
  TextResponse,
  TextVersionList,
  TextVersionResponse,
} from './purposes.responses';
import { RequireScopes } from '../common/auth/scopes';
import { decodeCursor, ListQuery, pageOf } from '../common/http/pagination';
import { Idempotent } from '../idempotency';
import {
  CreatePurposeDto,
  CreateTextDto,
  LocaleQuery,
  PublishTextDto,
  purposeView,
  textView,
  UpdatePurposeDto,
  UpdateTextDto,
} from './purposes.dto';
import { PurposesService } from './purposes.service';
import { TextsService } from './texts.service';
import { ApiPage, ApiProblem } from '../common/openapi/responses';

@ApiTags('purposes')
@Controller('v1/purposes')
export class PurposesController {
  constructor(
    private readonly purposes: PurposesService,
    private readonly texts: TextsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: PurposeResponse })
  @ApiProblem('purpose_exists')
  @RequireScopes('admin')
  @Idempotent<PurposesController, PurposeResponse>({
    ref: (b) => ({ key: b.key }),
    replay: (c, r) => c.get(String(r.key)),
  })
  @ApiOperation({ summary: 'Create a purpose of processing' })
  async create(@Body() dto: CreatePurposeDto) {
    return purposeView(await this.purposes.create(dto));
  }

  @Get()
  @ApiPage(PurposeResponse)
  @ApiOperation({ summary: 'Purposes of processing, by key' })
  @RequireScopes('consent:read')
  async list(@Query() q: ListQuery) {
    const cursor = decodeCursor<{ key: string }>(q.cursor, ['key']);
    const rows = await this.purposes.list(cursor?.key, q.limit + 1);
    return pageOf(rows, q.limit, purposeView, (r) => ({ key: r.key }));
  }

  @Get(':key')
  @ApiOkResponse({ type: PurposeResponse })
  @ApiOperation({ summary: 'A purpose by key' })
  @RequireScopes('consent:read')
  async get(@Param('key') key: string) {
    return purposeView(await this.purposes.get(key));
  }

  @Patch(':key')
  @ApiOkResponse({ type: PurposeResponse })
  @RequireScopes('admin')
  @ApiOperation({ summary: 'Change a purpose; the key is immutable. Published texts keep what they said.' })
  async update(@Param('key') key: string, @Body() dto: UpdatePurposeDto) {
    return purposeView(await this.purposes.update(key, dto));
  }

  @Post(':key/texts')
  @ApiCreatedResponse({ type: TextDraftResponse })
  @ApiProblem('text_already_published')
  @RequireScopes('consent:write')
  // The answer is the reference itself (the version and locale of the new draft).
  @Idempotent<PurposesController, Awaited<ReturnType<TextsService['addText']>>>({
    ref: (b) => ({ version: b.version, locale: b.locale }),
    replay: (_c, r) => ({ version: Number(r.version), locale: String(r.locale), status: 'draft' as const }),
  })
  @ApiOperation({ summary: 'Start a new draft version, or add a locale to a draft version' })
  addText(@Param('key') key: string, @Body() dto: CreateTextDto) {
    return this.texts.addText(key, dto);
  }

  @Get(':key/texts')
  @ApiOkResponse({ type: TextVersionList })
  @ApiOperation({ summary: 'The text versions of a purpose, newest first' })
  @RequireScopes('consent:read')
  async versions(@Param('key') key: string): Promise<TextVersionList> {
    return { items: await this.texts.listVersions(key) };
  }

  @Get(':key/texts/current')
  @ApiOkResponse({ type: TextResponse })
  @RequireScopes('consent:read')
  @ApiOperation({ summary: 'The current published text in one locale' })
  async current(@Param('key') key: string, @Query() q: LocaleQuery) {
    return textView(await this.texts.current(key, q.locale));
  }

  @Get(':key/texts/:version')
  @ApiOkResponse({ type: TextVersionResponse })
  @ApiOperation({ summary: 'One text version in every locale' })
  @RequireScopes('consent:read')
  async version(
    @Param('key') key: string,
    @Param('version', ParseIntPipe) version: number,
  ): Promise<TextVersionResponse> {
    const rows = await this.texts.getVersion(key, version);
    return {
      version,
      status: rows[0].publishedAt ? ('published' as const) : ('draft' as const),
      texts: rows.map(textView),
    };
  }

  @Post(':key/texts/:version/publish')
  @ApiOkResponse({ type: PublishedVersionResponse })
  @ApiProblem('text_already_published', 'conflict')
  @HttpCode(200)
  @RequireScopes('consent:write')
  @ApiOperation({ summary: 'Render and freeze every locale of a version' })
  async publish(
    @Param('key') key: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() dto: PublishTextDto,
  ): Promise<PublishedVersionResponse> {
    const v = await this.texts.publish(key, version, dto.requiresReconsent ?? false);
    return { ...v, publishedAt: v.publishedAt.toISOString() };
  }

  @Patch(':key/texts/:version/:locale')
  @ApiOkResponse({ type: TextDraftResponse })
  @ApiProblem('text_already_published')
  @RequireScopes('consent:write')
  @ApiOperation({ summary: 'Edit a draft locale; a published version answers 409 text_already_published' })
  updateText(
    @Param('key') key: string,
    @Param('version', ParseIntPipe) version: number,
    @Param('locale') locale: string,
    @Body() dto: UpdateTextDto,
  ) {
    return this.texts.updateDraft(key, version, locale, dto);
  }

  @Delete(':key/texts/:version')
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblem('text_already_published')
  @HttpCode(204)
  @RequireScopes('consent:write')
  @ApiOperation({ summary: 'Delete a draft version; a published version answers 409 text_already_published' })
  async deleteText(@Param('key') key: string, @Param('version', ParseIntPipe) version: number): Promise<void> {
    await this.texts.deleteDraft(key, version);
  }
}
