import { expandCommonPasswords } from './common-passwords';
import { hashPassword, needsRehash, parseHash, verifyPassword } from './password-hasher';
import { isRepetitive, PasswordPolicy } from './password-policy';

describe('password policy (NIST SP 800-63B 5.1.1.2)', () => {
  const policy = new PasswordPolicy({ minLength: 12, maxLength: 256 });

  it('ships a list of several thousand common passwords', () => {
    expect(expandCommonPasswords().size).toBeGreaterThan(5000);
    expect(policy.size).toBeGreaterThan(5000);
  });

  it.each([
    ['password1234', ['common']],
    ['P@ssw0rd2024!', ['common']],
    ['Zaq12wsx2025!', ['common']],
    ['haslohaslo123', ['common']],
    ['Warszawa2024!', ['common']],
    ['1qaz2wsx3edc4rfv', ['repetitive']],
    ['abababababab', ['repetitive']],
    ['krótkie', ['too_short']],
  ])('%s: %j', (pw, problems) => {
    expect(policy.check(pw)).toEqual(problems);
  });

  it('counts characters, not bytes, after NFKC; allows any character and long passphrases', () => {
    expect(policy.check('zażółć gęślą')).toEqual([]); // 12 code points, more bytes
    expect(policy.check('ｆｕｌｌｗｉｄｔｈ ｔｅｘｔ')).toEqual([]);
    expect(policy.check('🦉'.repeat(3) + ' nocna sowa')).toEqual([]);
    expect(policy.check('a fairly long passphrase '.repeat(10).slice(0, 256))).toEqual([]);
    expect(policy.check('x'.repeat(257))).toContain('too_long');
  });

  it('rejects a password built on the login name', () => {
    expect(policy.check('jkowalski-lato-nad-morzem', { login: 'jkowalski@example.com' })).toEqual(['contains_login']);
  });

  it('is repetitive only for runs and tiny alphabets', () => {
    expect(isRepetitive('zielona herbata')).toBe(false);
    expect(isRepetitive('zyxwvutsrqpo')).toBe(true);
  });
});

describe('scrypt hashes', () => {
  const cheap = { logN: 10, r: 8, p: 1 };

  it('stores the parameters with the hash and verifies the same password after NFKC', async () => {
    const h = await hashPassword('ﬁle cabinet 2000', cheap);
    expect(parseHash(h)).toMatchObject(cheap);
    await expect(verifyPassword('file cabinet 2000', h)).resolves.toBe(true);
    await expect(verifyPassword('file cabinet 2001', h)).resolves.toBe(false);
    await expect(verifyPassword('anything', 'md5$abc')).resolves.toBe(false);
  });

  it('asks for a rehash when the configured cost is higher than the stored one', async () => {
    const h = await hashPassword('correct horse battery', cheap);
    expect(needsRehash(h, cheap)).toBe(false);
    expect(needsRehash(h, { ...cheap, logN: 11 })).toBe(true);
  });
});
