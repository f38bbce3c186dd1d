import { parseOutcome, TaskCallError } from './task-outcome';

const refusal = (body: unknown) => {
  try {
    parseOutcome(body);
  } catch (e) {
    return e instanceof TaskCallError ? e.code : 'other';
  }
  return null;
};

describe('parseOutcome', () => {
  it('reads whether the system found the person', () => {
    expect(parseOutcome({ status: 'done', found: false }).found).toBe(false);
    expect(parseOutcome({ status: 'done', found: true }).found).toBe(true);
    expect(parseOutcome({ status: 'done' }).found).toBeNull();
  });

  it('refuses a found that is not a boolean, and data retained that was not found', () => {
    expect(refusal({ status: 'done', found: 'no' })).toBe('answer_found_not_boolean');
    expect(refusal({ status: 'retained', reason: 'art. 74', found: false })).toBe('retained_but_not_found');
    expect(refusal({ status: 'retained', reason: 'art. 74', found: true })).toBeNull();
  });
});
