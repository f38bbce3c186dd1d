import { classifyAddress, outboundUrlRefusal } from './outbound-url';

const dns = (map: Record<string, string[]>) => async (host: string) => {
  if (!map[host]) throw new Error('ENOTFOUND');
  return map[host];
};

describe('outbound URL guard (SSRF)', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['2606:4700::1111', 'public'],
    ['127.0.0.1', 'internal'],
    ['10.1.2.3', 'internal'],
    ['172.20.0.1', 'internal'],
    ['192.168.1.1', 'internal'],
    ['100.64.0.1', 'internal'],
    ['::1', 'internal'],
    ['fd12:3456::1', 'internal'],
    ['::ffff:127.0.0.1', 'internal'],
    ['::ffff:7f00:1', 'internal'],
    ['169.254.169.254', 'forbidden'],
    ['::ffff:169.254.169.254', 'forbidden'],
    ['fe80::1', 'forbidden'],
    ['224.0.0.1', 'forbidden'],
    ['ff02::1', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
  ])('%s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  const resolve = dns({
    'crm.example.com': ['93.184.216.34'],
    'rebind.example.com': ['93.184.216.34', '10.0.0.5'],
    'local.example.com': ['127.0.0.1'],
    'meta.example.com': ['169.254.169.254'],
  });

  it.each([
    ['https://crm.example.com/hook', false, null],
    ['http://crm.example.com:8080/hook', false, null],
    ['ftp://crm.example.com/hook', false, 'scheme'],
    ['javascript:alert(1)', false, 'scheme'],
    ['https://user:pw@crm.example.com/hook', false, 'credentials'],
    ['https://rebind.example.com/hook', false, 'address'],
    ['https://local.example.com/hook', false, 'address'],
    ['https://local.example.com/hook', true, null],
    ['http://127.0.0.1:9000/hook', false, 'address'],
    ['http://127.0.0.1:9000/hook', true, null],
    ['http://[::1]:9000/hook', true, null],
    ['http://[::ffff:a9fe:a9fe]/latest', true, 'address'],
    ['https://meta.example.com/latest', true, 'address'],
    ['https://nowhere.example.com/hook', false, 'unresolvable'],
  ])('%s (private allowed: %s) -> %s', async (url, allowPrivate, expected) => {
    expect(await outboundUrlRefusal(url, allowPrivate, resolve)).toBe(expected);
  });
});
