import { readFileSync } from 'node:fs';
import { baseForms, expandCommonPasswords } from './common-passwords';

export interface PasswordPolicyOptions {
  minLength: number;
  maxLength: number;
  /** Extra blocklist file (one password per line), e.g. a breach corpus. */
  blocklistFile?: string;
}

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'repetitive' | 'contains_login';

/**
 * NIST SP 800-63B 5.1.1.2 ("memorized secrets"): a minimum length (12 by default, configurable), at
 * least 64 characters allowed, every printable character and space allowed, no composition rules,
 * and a check against commonly used and compromised values. Length is counted in Unicode code points
 * after NFKC normalisation, like the hash sees it.
 */
export class PasswordPolicy {
  private readonly blocklist: Set<string>;

  constructor(readonly options: PasswordPolicyOptions) {
    this.blocklist = expandCommonPasswords();
    if (options.blocklistFile) {
      for (const line of readFileSync(options.blocklistFile, 'utf8').split(/\r?\n/)) {
        const w = line.trim().toLowerCase();
        if (w) this.blocklist.add(w);
      }
    }
  }

  get size(): number {
    return this.blocklist.size;
  }

  check(password: string, context: { login?: string } = {}): PasswordProblem[] {
    const normalised = password.normalize('NFKC');
    const length = [...normalised].length;
    const problems: PasswordProblem[] = [];
    if (length < this.options.minLength) problems.push('too_short');
    if (length > this.options.maxLength) problems.push('too_long');
    if (baseForms(normalised).some((form) => this.isListed(form))) problems.push('common');
    if (isRepetitive(normalised)) problems.push('repetitive');
    const local = context.login?.split('@')[0]?.toLowerCase();
    if (local && local.length >= 4 && normalised.toLowerCase().includes(local)) problems.push('contains_login');
    return problems;
  }

  private isListed(form: string): boolean {
    if (this.blocklist.has(form)) return true;
    // "kochamciekochamcie", "password2024password": a listed word repeated or doubled around a year.
    for (let cut = 4; cut <= form.length / 2; cut++) {
      const head = form.slice(0, cut);
      if (this.blocklist.has(head) && form.split(head).every((rest) => rest === '' || /^[0-9!@#$%^&*.]*$/.test(rest)))
        return true;
    }
    return false;
  }
}

/** One or two characters repeated, or a run along the alphabet, digits or a keyboard row. */
export function isRepetitive(password: string): boolean {
  const chars = [...password.toLowerCase()];
  if (new Set(chars).size <= 2) return true;
  // Alphabet, digits, the QWERTY rows run on into each other, and the column walks (1qaz2wsx...).
  const rows = [
    'abcdefghijklmnopqrstuvwxyz',
    '01234567890',
    'qwertyuiopasdfghjklzxcvbnm',
    '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  ];
  const s = chars.join('');
  return rows.some((row) => {
    const doubled = row + row;
    return doubled.includes(s) || [...doubled].reverse().join('').includes(s);
  });
}
