import { execFile } from 'node:child_process';

// pdf-parse runs pdf.js, whose worker is an ES module that Jest's loader cannot import; plain Node can.
const SCRIPT = `
const { PDFParse } = require('pdf-parse');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', async () => {
  const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
  try {
    process.stdout.write((await parser.getText()).text);
  } finally {
    await parser.destroy();
  }
});`;

/** The text of a PDF as pdf-parse extracts it (what someone copying from the document gets). */
export function pdfText(pdf: Uint8Array): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['-e', SCRIPT],
      { cwd: __dirname, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`pdf-parse failed: ${stderr}`)) : resolve(stdout)),
    );
    child.stdin!.end(Buffer.from(pdf));
  });
}
