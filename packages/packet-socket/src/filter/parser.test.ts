import { describe, expect, it } from 'vitest';
import { compileFilter, formatBpf, PcapFilterError } from './index.js';
import { tokenize } from './lexer.js';

const d = (expr: string, optimize = true): string => formatBpf(compileFilter(expr, { optimize }), 1);
const err = (expr: string): PcapFilterError => {
  try {
    compileFilter(expr);
  } catch (e) {
    if (e instanceof PcapFilterError) return e;
    throw e;
  }
  throw new Error(`expected ${expr} to fail`);
};

describe('pcap-filter grammar', () => {
  it('gives and/or equal precedence, left-associative, as libpcap does', () => {
    expect(d('ip or arp and tcp', false)).toBe(d('(ip or arp) and tcp', false));
    expect(d('ip or arp and tcp', false)).not.toBe(d('ip or (arp and tcp)', false));
    expect(d('ip and arp or tcp', false)).toBe(d('(ip and arp) or tcp', false));
    expect(d('udp or tcp and port 53', false)).toBe(d('(udp or tcp) and port 53', false));
  });

  it('binds not tighter than and/or; && || ! are synonyms', () => {
    expect(d('not ip and tcp', false)).toBe(d('(not ip) and tcp', false));
    expect(d('!ip && tcp || udp', false)).toBe(d('not ip and tcp or udp', false));
  });

  it('lets a bare id inherit the qualifiers of the term before it', () => {
    expect(d('host 1.2.3.4 or 5.6.7.8')).toBe(d('host 1.2.3.4 or host 5.6.7.8'));
    expect(d('tcp port 80 or 443')).toBe(d('tcp port 80 or tcp port 443'));
    expect(d('src net 10.0.0.0/8 and not 10.1.0.0/16')).toBe(d('src net 10.0.0.0/8 and not src net 10.1.0.0/16'));
    expect(d('host (1.2.3.4 or 5.6.7.8)')).toBe(d('host 1.2.3.4 or host 5.6.7.8'));
    // a protocol keyword or a relation leaves nothing to inherit
    expect(err('tcp and 80').message).toBe('syntax error in filter expression');
    expect(err('(host 1.2.3.4) or 5.6.7.8').message).toBe('syntax error in filter expression');
  });

  it('parses arithmetic with bison precedence, % and ^ taking everything to their right', () => {
    expect(d('ip[0] + 2 * 3 = 7')).toBe(d('ip[0] + (2 * 3) = 7'));
    expect(d('ip[0] % 3 + 1 = 2')).toBe(d('ip[0] % (3 + 1) = 2'));
    expect(d('ip[0] ^ 1 & 3 = 2')).toBe(d('ip[0] ^ (1 & 3) = 2'));
    expect(d('ip[0] & 0xf0 >> 4 = 4')).toBe(d('ip[0] & (0xf0 >> 4) = 4'));
    expect(d('tcp[tcpflags] & (tcp-syn|tcp-fin) != 0')).toBe(d('tcp[13] & 3 != 0'));
    expect(d('icmp[icmptype] == icmp-echo')).toBe(d('icmp[0] = 8'));
  });

  it('accepts the empty expression (every packet) and honours snaplen', () => {
    expect(d('')).toBe('(000) ret      #262144\n');
    expect(formatBpf(compileFilter('arp', { snaplen: 100 }), 1)).toContain('(002) ret      #100\n');
  });

  it('prints -d, -dd and -ddd exactly like tcpdump', () => {
    const p = compileFilter('arp');
    expect(formatBpf(p, 1)).toBe(
      '(000) ldh      [12]\n(001) jeq      #0x806           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n',
    );
    expect(formatBpf(p, 2)).toBe(
      '{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 0, 1, 0x00000806 },\n{ 0x6, 0, 0, 0x00040000 },\n{ 0x6, 0, 0, 0x00000000 },\n',
    );
    expect(formatBpf(p, 3)).toBe('4\n40 0 0 12\n21 0 1 2054\n6 0 0 262144\n6 0 0 0\n');
  });

  it('resolves host names only through the caller-supplied resolver', () => {
    expect(err('host example.org').message).toBe("unknown host 'example.org'");
    const resolveHost = (n: string): string[] | undefined => (n === 'gw' ? ['10.0.0.1', 'fe80::1'] : undefined);
    const viaName = formatBpf(compileFilter('host gw', { resolveHost }), 1);
    expect(viaName).toBe(d('host 10.0.0.1 or host fe80::1'));
    expect(formatBpf(compileFilter('ip host gw', { resolveHost }), 1)).toBe(d('ip host 10.0.0.1'));
  });
});

describe('pcap-filter scanner', () => {
  const types = (s: string): string[] => tokenize(s).map((t) => (t.type === 'ID' || t.type === 'HID' || t.type === 'HID6' || t.type === 'EID' ? `${t.type}:${t.text}` : t.type === 'NUM' ? `NUM:${t.num}` : t.type));
  it('takes the longest match, keywords winning ties', () => {
    expect(types('tcp tcpx 80 80-90 1.2.3.4 1.2.3.4.5')).toEqual(['TCP', 'ID:tcpx', 'NUM:80', 'ID:80-90', 'HID:1.2.3.4', 'ID:1.2.3.4.5', 'EOF']);
    expect(types('fe80::1 aa:bb:cc:dd:ee:ff 0x1f 010 ip6 \\tcp')).toEqual(['HID6:fe80::1', 'EID:aa:bb:cc:dd:ee:ff', 'NUM:31', 'NUM:8', 'IPV6', 'ID:tcp', 'EOF']);
    expect(types('tcp-syn icmp-echoreply tcpflags && || != == >= <= << >>')).toEqual([
      'NUM:2', 'NUM:0', 'NUM:13', 'AND', 'OR', 'NEQ', '=', 'GEQ', 'LEQ', 'LSH', 'RSH', 'EOF',
    ]);
  });
});

describe('pcap-filter errors', () => {
  it('reports syntax errors with the offending position', () => {
    const e = err('tcp and and udp');
    expect(e).toBeInstanceOf(PcapFilterError);
    expect(e.kind).toBe('syntax');
    expect(e.message).toBe('syntax error');
    expect(e.tcpdumpMessage).toBe("can't parse filter expression: syntax error");
    expect(e.position).toBe(8);
    expect(e.caret()).toBe('tcp and and udp\n        ^');
    expect(err('ip[0 = 1').position).toBe(5);
    expect(err('host').position).toBe(4);
    expect(err('ip[09] = 1').position).toBe(3);
    expect(err('ip[09] = 1').message).toBe('number 09 contains non-octal digit');
  });

  it('reports semantic errors with libpcap messages', () => {
    expect(err('port 70000').message).toBe('illegal port number 70000 > 65535');
    expect(err('ip[0] / 0 = 1').message).toBe('division by zero');
    expect(err('tcp host 1.2.3.4').message).toBe("'tcp' modifier applied to host");
    expect(err('net 10.0.0.1/8').message).toBe('non-network bits set in "10.0.0.1/8"');
    expect(err('tcp and udp and icmp').message).toBe('expression rejects all packets');
    expect(err('vlan 5000').message).toBe('VLAN tag 5000 greater than maximum 4095');
    expect(err('ip protochain 6').kind).toBe('unsupported');
    expect(() => compileFilter('ip', { linktype: 113 })).toThrow(PcapFilterError);
  });
});
