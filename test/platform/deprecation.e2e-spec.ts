import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { SwaggerModule } from '@nestjs/swagger';
import { completeContract } from '../../src/common/openapi/contract';
import { Deprecated } from '../../src/common/openapi/deprecation';

/*
 * Issue 24 item 6: how a /v1 operation is deprecated before it may go. No operation is deprecated today, so the
 * mechanism is held to its promise on a controller of its own: the document and every answer say so.
 */
@Controller('v1/old-things')
class OldThingsController {
  @Get(':id')
  @Deprecated({ since: '2026-12-01', sunset: '2027-06-01', successor: 'https://zgoda.example.com/v1/things' })
  get(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException();
    return { id };
  }

  @Get()
  list() {
    return { items: [] };
  }
}

describe('platform: deprecating an operation (Deprecation and Sunset headers)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [OldThingsController] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('answers with RFC 9745 Deprecation, RFC 8594 Sunset and the successor, errors included', async () => {
    for (const url of ['/v1/old-things/a', '/v1/old-things/missing']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.headers.deprecation).toBe(`@${Date.UTC(2026, 11, 1) / 1000}`);
      expect(res.headers.sunset).toBe('Tue, 01 Jun 2027 00:00:00 GMT');
      expect(res.headers.link).toBe('<https://zgoda.example.com/v1/things>; rel="successor-version"');
    }
    const current = await app.inject({ method: 'GET', url: '/v1/old-things' });
    expect(current.headers.deprecation).toBeUndefined();
  });

  it('is marked deprecated in the document, with its dates and the headers of each answer', () => {
    const doc = completeContract(
      SwaggerModule.createDocument(app, { openapi: '3.0.0', info: { title: 't', version: '1' } }),
    );
    const op = doc.paths['/v1/old-things/{id}'].get!;
    const headersOf = (status: string) => Object.keys((op.responses[status] as { headers?: object }).headers ?? {});
    expect(op.deprecated).toBe(true);
    expect(op.description).toContain('Deprecated since 2026-12-01; it may be removed after 2027-06-01');
    expect(headersOf('200')).toEqual(['Deprecation', 'Sunset']);
    expect(headersOf('404')).toEqual(['Deprecation', 'Sunset']);
    expect(doc.paths['/v1/old-things'].get!.deprecated).toBeUndefined();
  });
});
