import { interpolate } from './messages';

describe('messages', () => {
  it('fills placeholders and refuses a missing one', () => {
    expect(interpolate('Hello {name}', { name: 'A' })).toBe('Hello A');
    expect(() => interpolate('Hello {name}', {})).toThrow('missing value for {name}');
  });

  it('chooses plural forms by the page language (CLDR: Polish one, few, many)', () => {
    const entries = '{count, plural, one {# wpis} few {# wpisy} many {# wpisów} other {# wpisu}}';
    expect([1, 2, 4, 5, 12, 22, 25, 463, 1002].map((count) => interpolate(entries, { count }, 'pl'))).toEqual([
      '1 wpis',
      '2 wpisy',
      '4 wpisy',
      '5 wpisów',
      '12 wpisów',
      '22 wpisy',
      '25 wpisów',
      '463 wpisy',
      '1002 wpisy',
    ]);
    const people = '{count, plural, one {# person} other {# people}}';
    expect(interpolate(people, { count: 1 }, 'en')).toBe('1 person');
    expect(interpolate(people, { count: 3 }, 'en')).toBe('3 people');
    expect(() => interpolate(entries, {}, 'pl')).toThrow('missing value for {count}');
    // Markup-looking text stays text; escaping is the template's job.
    expect(interpolate('a <b>{x}</b>', { x: 1 }, 'en')).toBe('a <b>1</b>');
  });
});
