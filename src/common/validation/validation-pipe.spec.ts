import { IsString, IsUUID } from 'class-validator';
import { ProblemError } from '../problem/problem.error';
import { validationPipe } from './validation-pipe';

class Query {
  @IsString()
  purpose: string;

  @IsUUID()
  subjectId: string;
}

async function fieldErrors(value: Record<string, unknown>): Promise<{ field: string; message: string }[]> {
  try {
    await validationPipe.transform(value, { type: 'query', metatype: Query });
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return ((e as ProblemError).extras as { errors: { field: string; message: string }[] }).errors;
  }
  throw new Error('accepted');
}

describe('validationPipe field errors', () => {
  it('names each field once, an unknown one included', async () => {
    expect(await fieldErrors({ purpose: 'a', subjectId: 'x', extra: '1' })).toEqual([
      { field: 'extra', message: 'extra should not exist' },
      { field: 'subjectId', message: 'subjectId must be a UUID' },
    ]);
  });
});
