import { BlockList, isIP } from 'node:net';

/**
 * Which network addresses a rest-hook endpoint may be, so that a Subscription cannot make the
 * server call into its own network (SSRF): loopback, link-local, private and other non-public
 * ranges are refused unless CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS=true; cloud metadata
 * services, multicast and documentation ranges always.
 */
export type AddressKind = 'public' | 'private' | 'metadata' | 'not-unicast';

function blockList(v4: string[], v6: string[]): BlockList {
  const list = new BlockList();
  for (const [ranges, family] of [
    [v4, 'ipv4'],
    [v6, 'ipv6'],
  ] as const) {
    for (const range of ranges) {
      const [network, prefix] = range.split('/') as [string, string | undefined];
      if (prefix === undefined) {
        list.addAddress(network, family);
      } else {
        list.addSubnet(network, Number(prefix), family);
      }
    }
  }
  return list;
}

/** Instance metadata services (AWS, GCP, Azure, OpenStack; AWS ECS; Alibaba): credentials live there. */
const METADATA = blockList(['169.254.169.254', '169.254.170.2', '100.100.100.200'], ['fd00:ec2::254']);

/** Reachable inside a network but not from the internet: loopback, link-local, private, shared, tunnels. */
const PRIVATE = blockList(
  [
    '0.0.0.0/8', // "this network": 0.0.0.0 reaches the local host
    '10.0.0.0/8',
    '100.64.0.0/10', // carrier-grade NAT
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15', // benchmarking
  ],
  [
    '::/128',
    '::1/128',
    'fc00::/7', // unique local
    'fe80::/10', // link-local
    'fec0::/10', // site-local (deprecated)
    '2001::/32', // Teredo
    '2002::/16', // 6to4: embeds an IPv4 address
  ],
);

/** Not one host on the internet: multicast, broadcast, reserved and documentation ranges. */
const NOT_UNICAST = blockList(
  ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4'],
  ['100::/64', '2001:db8::/32', 'ff00::/8'],
);

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const g = ipv6Groups(address);
  const zeros = (from: number, to: number) => g.slice(from, to).every((group) => group === 0);
  const mapped = zeros(0, 5) && g[5] === 0xffff;
  const compatible = zeros(0, 6) && (g[6] !== 0 || g[7]! > 1);
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !compatible && !nat64) {
    return undefined;
  }
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
}

/** What kind of address this is; anything that is not an IP address counts as not unicast. */
export function classifyAddress(address: string): AddressKind {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) {
    return 'not-unicast';
  }
  if (family === 6) {
    const inner = embeddedIpv4(bare);
    if (inner) {
      return classifyAddress(inner);
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(bare, type)) {
    return 'metadata';
  }
  if (NOT_UNICAST.check(bare, type) || bare === '255.255.255.255') {
    return 'not-unicast';
  }
  return PRIVATE.check(bare, type) ? 'private' : 'public';
}

/** Why notifications may not be sent to this address, or undefined when they may. */
export function addressProblem(address: string, allowPrivateNetworks: boolean): string | undefined {
  switch (classifyAddress(address)) {
    case 'public':
      return undefined;
    case 'private':
      return allowPrivateNetworks
        ? undefined
        : `${address} is a loopback, link-local or private address; this server delivers to those only with ` +
            'CAREWEAVE_SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS=true';
    case 'metadata':
      return `${address} is a cloud metadata address, to which this server never delivers`;
    case 'not-unicast':
      return `${address} is not the address of one host on a network`;
  }
}
