import { pdfText } from '../../../test/support/pdf-text';
import { escapePdfMarkup, renderMarkupPdf } from './markup-pdf';

const FONTS = {
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
};

const text = (pdf: Buffer) => pdfText(new Uint8Array(pdf));

describe('markup PDF layout', () => {
  it('escapes every line of a value that would read as markup, and nothing else', () => {
    expect(escapePdfMarkup({ a: '# tytuł\nzwykły\n: etykieta', b: ['! x', '\\y'], n: null, c: 3 })).toEqual({
      a: '\\# tytuł\nzwykły\n\\: etykieta',
      b: ['\\! x', '\\\\y'],
      n: null,
      c: 3,
    });
  });

  it('prints Polish letters and a typed "# ..." line as the text it is', async () => {
    const value = escapePdfMarkup('# Zażółć gęślą jaźń\n\\ŁÓDŹ');
    const pdf = await renderMarkupPdf(`# Nagłówek\n## 1. Sekcja\n: Opis\n${value}\n! brak`, FONTS, {
      title: 't',
      subject: 's',
    });
    const lines = (await text(pdf)).split('\n').filter(Boolean);
    expect(lines.slice(0, 6)).toEqual(['Nagłówek', '1. Sekcja', 'Opis', '# Zażółć gęślą jaźń', '\\ŁÓDŹ', 'brak']);
  });
});
