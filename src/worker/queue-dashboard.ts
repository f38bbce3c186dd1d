import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BoardAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeysService } from '../auth';
import { QueueRegistry } from '../jobs';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board for operators: queues, failed jobs, retries. Admin credentials only. Job payloads are ids,
 * so the dashboard shows no personal data.
 */
export async function mountQueueDashboard(app: NestFastifyApplication): Promise<void> {
  const board = new BoardAdapter();
  board.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: app
      .get(QueueRegistry)
      .all()
      .map((q) => new BullMQAdapter(q)),
    serverAdapter: board as never,
  });
  const keys = app.get(ApiKeysService);
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (req, reply) => {
        const principal = await keys.principalOf(req);
        if (!principal?.scopes.includes('admin')) {
          await reply
            .status(principal ? 403 : 401)
            .header('content-type', 'application/problem+json')
            .send({
              type: `urn:zgoda:problem:${principal ? 'forbidden' : 'unauthorized'}`,
              status: principal ? 403 : 401,
              code: principal ? 'forbidden' : 'unauthorized',
              title: 'Admin only',
              correlationId: String(req.id),
            });
        }
      });
      await scope.register(board.registerPlugin() as never, { prefix: '/' });
    },
    { prefix: DASHBOARD_PATH },
  );
}
