import { Housekeeping } from './housekeeping.service';

describe('Housekeeping', () => {
  it('runs every rule in batches until one comes back short, and answers the rows deleted per table', async () => {
    const h = new Housekeeping();
    const batches: number[] = [];
    let left = 12_000;
    h.register({
      table: 'a',
      purge: async (limit) => {
        const n = Math.min(limit, left);
        left -= n;
        batches.push(n);
        return n;
      },
    });
    h.register({ table: 'b', purge: async () => 0 });
    expect(await h.run()).toEqual({ a: 12_000, b: 0 });
    expect(batches).toEqual([5000, 5000, 2000]);
  });

  it('runs the other rules when one fails, then fails the job so that it is retried', async () => {
    const h = new Housekeeping();
    const ran: string[] = [];
    h.register({
      table: 'broken',
      purge: async () => {
        throw new Error('relation does not exist');
      },
    });
    h.register({
      table: 'fine',
      purge: async () => {
        ran.push('fine');
        return 0;
      },
    });
    await expect(h.run()).rejects.toThrow('housekeeping failed for broken');
    expect(ran).toEqual(['fine']);
  });
});
