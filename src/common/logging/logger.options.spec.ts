import pino from 'pino';
import { Writable } from 'node:stream';
import type { Env } from '../../config/env';
import { requestContext } from '../context/request-context';
import { loggerOptions } from './logger.options';

describe('loggerOptions', () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const params = loggerOptions({ LOG_LEVEL: 'info' } as Env);
  const logger = pino(params.pinoHttp as pino.LoggerOptions, sink);

  beforeEach(() => lines.splice(0));

  it('names the correlation id of the request a line is written in, with no logger made per request', () => {
    requestContext.run({ correlationId: 'corr-1' }, () => logger.info({ at: 'inside' }, 'work'));
    logger.info({ at: 'outside' }, 'work');
    expect(lines).toEqual([
      expect.objectContaining({ at: 'inside', correlationId: 'corr-1' }),
      expect.not.objectContaining({ correlationId: expect.anything() }),
    ]);
    // pino-http's middleware runs on no route: its per-request child logger was a tenth of the consent check's CPU.
    expect(params.forRoutes).toEqual([]);
  });

  it('still scrubs e-mails and redacts credentials', () => {
    requestContext.run({ correlationId: 'corr-2' }, () =>
      logger.info(
        {
          req: { url: '/v1/x?token=zk_query', headers: { authorization: 'Bearer zk_secret' } },
          user: { password: 'pw1' },
        },
        'from jan@example.com',
      ),
    );
    expect(JSON.stringify(lines)).not.toMatch(/zk_secret|zk_query|pw1|jan@example\.com/);
    expect(lines[0]).toMatchObject({ correlationId: 'corr-2', msg: 'from [email]' });
  });
});
