/**
 * The pcap-filter scanner (libpcap `scanner.l`), as flex runs it: at each position every rule is
 * tried, the longest match wins and, among equally long matches, the rule listed first. That is
 * why `tcp` is a keyword but `tcpx` a name, `80` a number but `80-90` a name (a port range), and
 * `1.2.3.4` an address but `1.2.3.4.5` a host name.
 */
import { PcapFilterError } from './errors.js';

/** Keyword spellings and the token each returns (flex rule order). */
const KEYWORDS: ReadonlyArray<readonly [string, string]> = [
  ['dst', 'DST'], ['src', 'SRC'],
  ['link', 'LINK'], ['ether', 'LINK'], ['ppp', 'LINK'], ['slip', 'LINK'],
  ['fddi', 'LINK'], ['tr', 'LINK'], ['wlan', 'LINK'],
  ['arp', 'ARP'], ['rarp', 'RARP'], ['ip', 'IP'], ['sctp', 'SCTP'], ['tcp', 'TCP'],
  ['udp', 'UDP'], ['icmp', 'ICMP'], ['igmp', 'IGMP'], ['igrp', 'IGRP'], ['pim', 'PIM'],
  ['vrrp', 'VRRP'], ['carp', 'CARP'], ['radio', 'RADIO'],
  ['ip6', 'IPV6'], ['icmp6', 'ICMPV6'], ['ah', 'AH'], ['esp', 'ESP'],
  ['atalk', 'ATALK'], ['aarp', 'AARP'], ['decnet', 'DECNET'], ['lat', 'LAT'], ['sca', 'SCA'],
  ['moprc', 'MOPRC'], ['mopdl', 'MOPDL'],
  ['iso', 'ISO'], ['esis', 'ESIS'], ['es-is', 'ESIS'], ['isis', 'ISIS'], ['is-is', 'ISIS'],
  ['l1', 'L1'], ['l2', 'L2'], ['iih', 'IIH'], ['lsp', 'LSP'], ['snp', 'SNP'], ['csnp', 'CSNP'],
  ['psnp', 'PSNP'], ['clnp', 'CLNP'], ['stp', 'STP'], ['ipx', 'IPX'], ['netbeui', 'NETBEUI'],
  ['host', 'HOST'], ['net', 'NET'], ['mask', 'NETMASK'], ['port', 'PORT'],
  ['portrange', 'PORTRANGE'], ['proto', 'PROTO'], ['protochain', 'PROTOCHAIN'],
  ['gateway', 'GATEWAY'],
  ['type', 'TYPE'], ['subtype', 'SUBTYPE'], ['direction', 'DIR'], ['dir', 'DIR'],
  ['address1', 'ADDR1'], ['addr1', 'ADDR1'], ['address2', 'ADDR2'], ['addr2', 'ADDR2'],
  ['address3', 'ADDR3'], ['addr3', 'ADDR3'], ['address4', 'ADDR4'], ['addr4', 'ADDR4'],
  ['ra', 'RA'], ['ta', 'TA'],
  ['less', 'LESS'], ['greater', 'GREATER'], ['byte', 'CBYTE'],
  ['broadcast', 'TK_BROADCAST'], ['multicast', 'TK_MULTICAST'],
  ['and', 'AND'], ['&&', 'AND'], ['or', 'OR'], ['||', 'OR'], ['not', '!'],
  ['len', 'LEN'], ['length', 'LEN'], ['inbound', 'INBOUND'], ['outbound', 'OUTBOUND'],
  ['ifindex', 'IFINDEX'],
  ['vlan', 'VLAN'], ['mpls', 'MPLS'], ['pppoed', 'PPPOED'], ['pppoes', 'PPPOES'],
  ['geneve', 'GENEVE'],
  ['lane', 'LANE'], ['llc', 'LLC'], ['metac', 'METAC'], ['bcc', 'BCC'], ['oam', 'OAM'],
  ['oamf4', 'OAMF4'], ['oamf4ec', 'OAMF4EC'], ['oamf4sc', 'OAMF4SC'], ['sc', 'SC'],
  ['ilmic', 'ILMIC'], ['vpi', 'VPI'], ['vci', 'VCI'], ['connectmsg', 'CONNECTMSG'],
  ['metaconnect', 'METACONNECT'],
  ['on', 'PF_IFNAME'], ['ifname', 'PF_IFNAME'], ['rset', 'PF_RSET'], ['ruleset', 'PF_RSET'],
  ['rnr', 'PF_RNR'], ['rulenum', 'PF_RNR'], ['srnr', 'PF_SRNR'], ['subrulenum', 'PF_SRNR'],
  ['reason', 'PF_REASON'], ['action', 'PF_ACTION'],
  ['fisu', 'FISU'], ['lssu', 'LSSU'], ['lsu', 'LSSU'], ['msu', 'MSU'], ['hfisu', 'HFISU'],
  ['hlssu', 'HLSSU'], ['hmsu', 'HMSU'], ['sio', 'SIO'], ['opc', 'OPC'], ['dpc', 'DPC'],
  ['sls', 'SLS'], ['hsio', 'HSIO'], ['hopc', 'HOPC'], ['hdpc', 'HDPC'], ['hsls', 'HSLS'],
];

/** Named constants the scanner turns into numbers (tcpflags, icmp types...). */
export const NAMED_CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['icmptype', 0], ['icmpcode', 1], ['icmp-echoreply', 0], ['icmp-unreach', 3],
  ['icmp-sourcequench', 4], ['icmp-redirect', 5], ['icmp-echo', 8], ['icmp-routeradvert', 9],
  ['icmp-routersolicit', 10], ['icmp-timxceed', 11], ['icmp-paramprob', 12], ['icmp-tstamp', 13],
  ['icmp-tstampreply', 14], ['icmp-ireq', 15], ['icmp-ireqreply', 16], ['icmp-maskreq', 17],
  ['icmp-maskreply', 18],
  ['icmp6type', 0], ['icmp6code', 1], ['icmp6-destinationunreach', 1],
  ['icmp6-packettoobig', 2], ['icmp6-timeexceeded', 3], ['icmp6-parameterproblem', 4],
  ['icmp6-echo', 128], ['icmp6-echoreply', 129], ['icmp6-multicastlistenerquery', 130],
  ['icmp6-multicastlistenerreportv1', 131], ['icmp6-multicastlistenerdone', 132],
  ['icmp6-routersolicit', 133], ['icmp6-routeradvert', 134], ['icmp6-neighborsolicit', 135],
  ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137], ['icmp6-routerrenum', 138],
  ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143], ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145], ['icmp6-mobileprefixsolicit', 146],
  ['icmp6-mobileprefixadvert', 147], ['icmp6-certpathsolicit', 148],
  ['icmp6-certpathadvert', 149], ['icmp6-multicastrouteradvert', 151],
  ['icmp6-multicastroutersolicit', 152], ['icmp6-multicastrouterterm', 153],
  ['tcpflags', 13], ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08],
  ['tcp-ack', 0x10], ['tcp-urg', 0x20], ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
]);

export interface Token {
  /** Token kind: a keyword name (`HOST`), a punctuation character, or NUM/ID/HID/HID6/EID/EOF. */
  type: string;
  /** Text of ID/HID/HID6/EID tokens. */
  text: string;
  /** Value of NUM tokens. */
  num: number;
  pos: number;
}

const PUNCT = '+-*/%:[]!<>()&|^=';
const TWO_CHAR: ReadonlyArray<readonly [string, string]> = [
  ['>=', 'GEQ'], ['<=', 'LEQ'], ['!=', 'NEQ'], ['==', '='], ['<<', 'LSH'], ['>>', 'RSH'],
];

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isHex = (c: string): boolean => /^[0-9A-Fa-f]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

/** Length of `{N}` (decimal digits, or 0x + hex digits) at `i`, or 0. */
function matchN(s: string, i: number): number {
  let dec = 0;
  while (i + dec < s.length && isDigit(s[i + dec]!)) dec++;
  let hex = 0;
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    let h = 0;
    while (i + 2 + h < s.length && isHex(s[i + 2 + h]!)) h++;
    if (h > 0) hex = 2 + h;
  }
  return Math.max(dec, hex);
}

/** Length of the HID rule (`N.N`, `N.N.N` or `N.N.N.N`) at `i`, or 0. */
function matchHid(s: string, i: number): number {
  let n = matchN(s, i);
  if (n === 0) return 0;
  let end = i + n;
  let parts = 1;
  let best = 0;
  while (parts < 4 && s[end] === '.') {
    const m = matchN(s, end + 1);
    if (m === 0) break;
    end = end + 1 + m;
    parts++;
    best = end - i;
  }
  return best;
}

/** Length of the ID rule at `i`: `[A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])?`. */
function matchId(s: string, i: number): number {
  if (i >= s.length || !isAlnum(s[i]!)) return 0;
  let j = i + 1;
  while (j < s.length && /[-_.A-Za-z0-9]/.test(s[j]!)) j++;
  while (j > i + 1 && (s[j - 1] === '-' || s[j - 1] === '_')) j--;
  return j - i;
}

const W = '[0-9A-Fa-f]{1,4}';
const N = '(?:[0-9]+|0[xX][0-9A-Fa-f]+)';
const V4 = `${N}\\.${N}\\.${N}\\.${N}`;
/** The scanner's IPv6 forms: 8 groups, or `::` standing for 1..8 groups, optionally ending in a dotted quad. */
const V6_RE = (() => {
  const alts: string[] = [`(?:${W}:){7}${W}`];
  const g = (n: number): string => (n === 0 ? '' : `${W}(?::${W}){${n - 1}}`);
  for (let total = 0; total <= 7; total++) {
    for (let left = 0; left <= total; left++) alts.push(`${g(left)}::${g(total - left)}`);
  }
  alts.push(`(?:${W}:){6}${V4}`);
  for (let total = 0; total <= 5; total++) {
    for (let left = 0; left <= total; left++) {
      const right = total - left;
      alts.push(`${g(left)}::${right > 0 ? `${g(right)}:` : ''}${V4}`);
    }
  }
  return new RegExp(`^(?:${alts.join('|')})$`);
})();
const B = '[0-9A-Fa-f][0-9A-Fa-f]?';
const B2 = '[0-9A-Fa-f]{4}';
const MAC_RE = new RegExp(
  `^(?:${B}:${B}:${B}:${B}:${B}:${B}|${B}-${B}-${B}-${B}-${B}-${B}|${B}\\.${B}\\.${B}\\.${B}\\.${B}\\.${B}|${B2}\\.${B2}\\.${B2}|${B2}${B2}${B2})$`,
);
const BOGUS_MAC_RE = new RegExp(`^${B}:+(?:${B}:+)+$`);

/** Longest prefix of the run of `cls` characters at `i` that fully matches `re`. */
function longestPrefix(s: string, i: number, cls: RegExp, re: RegExp): number {
  let j = i;
  while (j < s.length && cls.test(s[j]!)) j++;
  for (let end = j; end > i; end--) if (re.test(s.slice(i, end))) return end - i;
  return 0;
}

export function tokenize(expr: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // Each candidate: [length, rule order, make-token]. Longest wins; ties go to the lower order.
    let bestLen = 0;
    let bestOrder = Infinity;
    let make: (() => Token) | null = null;
    const offer = (len: number, order: number, f: () => Token): void => {
      if (len > bestLen || (len === bestLen && len > 0 && order < bestOrder)) {
        bestLen = len;
        bestOrder = order;
        make = f;
      }
    };
    const tok = (type: string, text = '', num = 0): Token => ({ type, text, num, pos: i });
    KEYWORDS.forEach(([word, type], idx) => {
      if (expr.startsWith(word, i)) offer(word.length, idx, () => tok(type));
    });
    const base = KEYWORDS.length;
    if (PUNCT.includes(c)) offer(1, base + 1, () => tok(c));
    for (const [two, type] of TWO_CHAR) {
      if (expr.startsWith(two, i)) offer(2, base + 2, () => tok(type));
    }
    const mac = longestPrefix(expr, i, /[0-9A-Fa-f:.\-]/, MAC_RE);
    if (mac) offer(mac, base + 4, () => tok('EID', expr.slice(i, i + mac)));
    const n = matchN(expr, i);
    if (n) offer(n, base + 5, () => tok('NUM', '', parseNum(expr.slice(i, i + n))));
    const hid = matchHid(expr, i);
    if (hid) offer(hid, base + 6, () => tok('HID', expr.slice(i, i + hid)));
    const v6 = longestPrefix(expr, i, /[0-9A-Fa-fxX:.]/, V6_RE);
    if (v6) offer(v6, base + 7, () => tok('HID6', expr.slice(i, i + v6)));
    const bogus = longestPrefix(expr, i, /[0-9A-Fa-f:]/, BOGUS_MAC_RE);
    if (bogus) offer(bogus, base + 8, () => tok('BOGUS_EID', expr.slice(i, i + bogus)));
    for (const [name, value] of NAMED_CONSTANTS) {
      if (expr.startsWith(name, i)) offer(name.length, base + 9, () => tok('NUM', name, value));
    }
    const id = matchId(expr, i);
    if (id) offer(id, base + 10, () => tok('ID', expr.slice(i, i + id)));
    if (c === '\\') {
      const m = /^\\[^ !()\n\t]+/.exec(expr.slice(i));
      if (m) offer(m[0].length, base + 11, () => tok('ID', m[0].slice(1)));
    }
    if (make === null) {
      throw new PcapFilterError('syntax error', 'syntax', i, expr);
    }
    let t: Token;
    try {
      t = (make as () => Token)();
    } catch (e) {
      if (e instanceof PcapFilterError && e.position === undefined) throw new PcapFilterError(e.message, e.kind, i, expr);
      throw e;
    }
    if (t.type === 'BOGUS_EID') {
      throw new PcapFilterError(`bogus ethernet address ${t.text}`, 'syntax', i, expr);
    }
    out.push(t);
    i += bestLen;
  }
  out.push({ type: 'EOF', text: '', num: 0, pos: expr.length });
  return out;
}

/**
 * The scanner's number conversion (`stoulen`): 0x... is hex, a leading 0 is octal, else decimal;
 * values must fit 32 bits.
 */
function parseNum(text: string): number {
  let v: bigint;
  if (/^0[xX]/.test(text)) v = BigInt(text);
  else if (text.length > 1 && text[0] === '0') {
    if (!/^[0-7]+$/.test(text)) throw new PcapFilterError(`number ${text} contains non-octal digit`, 'syntax');
    v = BigInt(`0o${text.slice(1)}`);
  } else v = BigInt(text);
  if (v > 0xffffffffn) throw new PcapFilterError(`number ${text} overflows 32 bits`, 'syntax');
  return Number(v);
}
