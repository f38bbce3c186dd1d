import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ProblemError } from '../problem/problem.error';

/**
 * SSRF guard for every URL Zgoda calls on someone else's say-so (consent subscriptions, data-system
 * webhooks, OpenGDPR call-backs): http(s) only, no credentials in the URL, and no address inside the
 * installation's own network. Checked when the URL is registered and again before each call, because the
 * name may resolve elsewhere later (DNS rebinding). Redirects are never followed by the callers.
 */
export type OutboundRefusal = 'scheme' | 'credentials' | 'address' | 'unresolvable';

export type AddressClass = 'public' | 'internal' | 'forbidden';

// Never a webhook receiver, whatever the configuration: unspecified, link-local (cloud metadata at
// 169.254.169.254), multicast, broadcast and reserved ranges.
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addSubnet('224.0.0.0', 4, 'ipv4');
FORBIDDEN.addSubnet('240.0.0.0', 4, 'ipv4');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
FORBIDDEN.addSubnet('ff00::', 8, 'ipv6');

// The installation's own machines: allowed only with WEBHOOK_ALLOW_PRIVATE_NETWORKS (tests, one-host installs).
const INTERNAL = new BlockList();
INTERNAL.addSubnet('10.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('100.64.0.0', 10, 'ipv4');
INTERNAL.addSubnet('127.0.0.0', 8, 'ipv4');
INTERNAL.addSubnet('172.16.0.0', 12, 'ipv4');
INTERNAL.addSubnet('192.0.0.0', 24, 'ipv4');
INTERNAL.addSubnet('192.168.0.0', 16, 'ipv4');
INTERNAL.addSubnet('198.18.0.0', 15, 'ipv4');
INTERNAL.addAddress('::1', 'ipv6');
INTERNAL.addSubnet('fc00::', 7, 'ipv6');

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), else null. */
function embeddedIpv4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(?:0:)?([0-9a-f.:]+)$/i.exec(ip);
  if (!m) return null;
  if (isIP(m[1]) === 4) return m[1];
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(m[1]);
  if (!hex) return null;
  const n = (parseInt(hex[1], 16) << 16) | parseInt(hex[2], 16);
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function classifyAddress(ip: string): AddressClass {
  const v4 = isIP(ip) === 6 ? embeddedIpv4(ip) : null;
  if (v4) return classifyAddress(v4);
  const family = isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : null;
  if (!family) return 'forbidden';
  if (FORBIDDEN.check(ip, family)) return 'forbidden';
  if (INTERNAL.check(ip, family)) return 'internal';
  return 'public';
}

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** An address no outbound call may reach: never a forbidden one, an internal one only when allowed. */
export const refusedAddress = (ip: string, allowPrivate: boolean): boolean => {
  const c = classifyAddress(ip);
  return c === 'forbidden' || (c === 'internal' && !allowPrivate);
};

/**
 * What can be refused without resolving anything: the scheme, credentials in the URL, an address literal. The
 * outbound client checks a name's addresses where it connects (OutboundHttp).
 */
export function staticUrlRefusal(raw: string, allowPrivate: boolean): OutboundRefusal | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'scheme';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme';
  if (url.username || url.password) return 'credentials';
  const host = hostOf(url);
  return isIP(host) && refusedAddress(host, allowPrivate) ? 'address' : null;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/** Null when the URL may be called; otherwise why not. Every address the name resolves to must pass. */
export async function outboundUrlRefusal(
  raw: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<OutboundRefusal | null> {
  const refusal = staticUrlRefusal(raw, allowPrivate);
  if (refusal) return refusal;
  const host = hostOf(new URL(raw));
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    return 'unresolvable';
  }
  if (!addresses.length) return 'unresolvable';
  return addresses.some((a) => refusedAddress(a, allowPrivate)) ? 'address' : null;
}

/** For registration: a 422 `webhook_url_not_allowed` naming the field and the reason, never the URL. */
export async function assertOutboundUrl(
  raw: string,
  allowPrivate: boolean,
  field = 'url',
  resolve?: Resolver,
): Promise<void> {
  const reason = await outboundUrlRefusal(raw, allowPrivate, resolve);
  if (!reason) return;
  throw new ProblemError('webhook_url_not_allowed', DETAIL[reason], { field, reason });
}

const DETAIL: Record<OutboundRefusal, string> = {
  scheme: 'The URL must use http or https.',
  credentials: 'The URL must not carry a user name or password.',
  address: 'The URL points to a loopback, private, link-local, multicast or reserved address.',
  unresolvable: 'The host name of the URL does not resolve.',
};
