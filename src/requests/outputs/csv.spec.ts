import { rowsOf, safeName, toCsv } from './csv';

describe('CSV for the access and portability packages', () => {
  it('writes a header with every field and quotes what needs quoting', () => {
    const csv = toCsv([
      { name: 'Anna "Ania" Nowak', city: 'Kraków' },
      { name: 'Jan', note: 'line one\nline two', city: 'Łódź, centrum' },
    ]);
    // A UTF-8 byte-order mark first, so a spreadsheet reads "Kraków" right (issue 13 item 9).
    expect(csv).toBe(
      '\uFEFFname,city,note\r\n"Anna ""Ania"" Nowak",Kraków,\r\nJan,"Łódź, centrum","line one\nline two"\r\n',
    );
  });

  it('keeps nested values as JSON and empty values empty', () => {
    expect(toCsv([{ a: { b: 1 }, c: null, d: true, e: 3 }])).toBe('\uFEFFa,c,d,e\r\n"{""b"":1}",,true,3\r\n');
  });

  it('reads the shapes systems send', () => {
    expect(rowsOf([{ a: 1 }, 2])).toEqual([{ a: 1 }, { value: 2 }]);
    expect(rowsOf({ a: 1 })).toEqual([{ a: 1 }]);
    expect(rowsOf('x')).toEqual([{ value: 'x' }]);
    expect(rowsOf(undefined)).toEqual([]);
  });

  it('makes safe file names', () => {
    expect(safeName('../../etc/passwd')).toBe('_etc_passwd');
    expect(safeName('loyalty-card_2')).toBe('loyalty-card_2');
    expect(safeName('')).toBe('_');
  });
});

describe('CSV cells that look like formulas', () => {
  it('are kept as text in every file, the values of third-party systems included (CSV injection)', () => {
    expect(
      toCsv([{ note: '=HYPERLINK("http://evil.example","x")', n: -5, at: '+48 600 100 200', t: '@SUM(A1)' }]),
    ).toBe('\uFEFFnote,n,at,t\r\n"\'=HYPERLINK(""http://evil.example"",""x"")",-5,\'+48 600 100 200,\'@SUM(A1)\r\n');
  });
});
