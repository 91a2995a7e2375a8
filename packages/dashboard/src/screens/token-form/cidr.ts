function isIpv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0] ?? '');
  const tail = groups(halves[1] ?? '');
  const all = [...head, ...tail];
  // An embedded IPv4 address (::ffff:192.0.2.1) takes the place of the last two groups.
  const last = all.at(-1);
  let count = all.length;
  if (last?.includes('.')) {
    if (!isIpv4(last)) return false;
    all.pop();
    count += 1;
  }
  if (!all.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

export interface CidrCheck {
  /** The CIDR to send: a bare address gets /32 (IPv4) or /128 (IPv6). */
  cidr?: string;
  /** Why the text is not a CIDR, in words for the field. */
  error?: string;
}

/**
 * Checks one Client IP Address Filtering value as it is typed (REFERENCE §4.5: CIDR, IPv4 or IPv6).
 * A bare address is accepted and sent as a single-address range, /32 or /128.
 */
export function checkCidr(text: string): CidrCheck {
  const value = text.trim();
  if (value === '') return { error: 'Enter an IP address or a CIDR range, e.g. 192.0.2.0/24' };
  const [address = '', prefix, extra] = value.split('/');
  if (extra !== undefined) return { error: 'A CIDR range has one "/"' };
  const v4 = isIpv4(address);
  const v6 = !v4 && isIpv6(address);
  if (!v4 && !v6) return { error: `"${address}" is not an IPv4 or IPv6 address` };
  const max = v4 ? 32 : 128;
  if (prefix === undefined) return { cidr: `${address}/${max}` };
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max)
    return { error: `The prefix length after "/" must be a number from 0 to ${max}` };
  return { cidr: `${address}/${Number(prefix)}` };
}
