import { describe, expect, it } from 'vitest';
import { NetError, NFPROTO_IPV4 } from '@netstack/core';
import { Ipv4Firewall } from './firewall.js';
import { fixture } from './test-fixture.js';
import type { RuleSpec } from './spec.js';

/** [command, errno, message] — messages as iptables 1.8.9 prints them where it has one. */
const BAD: [string, string, string][] = [
  ['-A INPUT --dport 22 -j DROP', 'EINVAL', 'unknown option "--dport"'],
  ['-A INPUT -p icmp --dport 22 -j DROP', 'EINVAL', 'unknown option "--dport"'],
  ['-A INPUT -p udp --icmp-type 8', 'EINVAL', 'unknown option "--icmp-type"'],
  ['-A INPUT -p tcp --dport 2000:1000', 'EINVAL', 'invalid portrange (min > max)'],
  ['-A INPUT -p tcp --dport 70000', 'EINVAL', "invalid port/service `70000' specified"],
  ['-A INPUT -p tcp --dport foo', 'EINVAL', "invalid port/service `foo' specified"],
  ['-A INPUT -p udp --sport 1:2:3', 'EINVAL', 'udp: Too many components for option "--source-port" (max: 2)'],
  ['-A INPUT -p tcp --dport 1 --dport 2', 'EINVAL', "Only one `--destination-port' allowed"],
  ['-A INPUT -p icmp --icmp-type bogus', 'EINVAL', "Unknown ICMP type `bogus'"],
  ['-A INPUT -p icmp --icmp-type 300', 'EINVAL', "Unknown ICMP type `300'"],
  ['-A INPUT -p icmp --icmp-type 3/300', 'EINVAL', "Unknown ICMP code `3/300'"],
  ['-A INPUT -p icmp --icmp-type echo', 'EINVAL', "Ambiguous ICMP type `echo': `echo-reply' or `echo-request'?"],
  ['-A INPUT -p icmp --icmp-type 8 ! --icmp-type 9', 'EINVAL', 'icmp: option "--icmp-type" can only be used once.'],
  ['-A INPUT -p icmp -m icmp', 'EINVAL', 'icmp: option "--icmp-type" must be specified'],
  ['-A INPUT -p udp -m tcp --dport 3', 'EINVAL', "TCP match requires '-p tcp'"],
  ['-A INPUT -m udp --dport 3', 'EINVAL', "UDP match requires '-p udp'"],
  ['-A INPUT ! -p tcp --dport 22', 'EINVAL', 'tcp match: only valid for protocol 6'],
  ['-A INPUT -m conntrack', 'EINVAL', "Couldn't load match `conntrack'"],
  ['-A INPUT -p bogus', 'EINVAL', 'unknown protocol "bogus" specified'],
  ['-A INPUT -p 256', 'EINVAL', 'unknown protocol "256" specified'],
  ['-A INPUT ! -p all', 'EINVAL', 'rule would never match protocol'],
  ['-A INPUT -p tcp -p udp', 'EINVAL', 'multiple -p flags not allowed'],
  ['-A INPUT -s 1.2.3.4 -s 1.2.3.5', 'EINVAL', 'multiple -s flags not allowed'],
  ['-A INPUT -j ACCEPT -j DROP', 'EINVAL', 'multiple -j flags not allowed'],
  ['-A INPUT -s 10.0.0.300', 'EINVAL', "host/network `10.0.0.300' not found"],
  ['-A INPUT -s example.com', 'EINVAL', "host/network `example.com' not found"],
  ['-A INPUT -s 10.0.0.0/33', 'EINVAL', "invalid mask `33' specified"],
  ['-A INPUT -i verylonginterfacename', 'EINVAL', "interface name `verylonginterfacename' must be shorter than IFNAMSIZ (15)"],
  ['-A OUTPUT -i eth0', 'EINVAL', "Can't use -i with OUTPUT"],
  ['-A INPUT -o eth0', 'EINVAL', "Can't use -o with INPUT"],
  ['-A INPUT -j REJECT --reject-with bogus', 'EINVAL', 'unknown reject type "bogus"'],
  ['-A INPUT -j REJECT --reject-with icmp-echo-reply', 'EINVAL', 'unknown reject type "icmp-echo-reply"'],
  ['-A INPUT -j DROP --reject-with icmp-net-unreachable', 'EINVAL', 'unknown option "--reject-with"'],
  ['-A INPUT -j REJECT --reject-with tcp-reset --reject-with icmp-net-unreachable', 'EINVAL', 'REJECT: option "--reject-with" can only be used once.'],
  ['-A INPUT -j ACCEPT extra', 'EINVAL', "Bad argument `extra'"],
  ['-A INPUT -j LOG', 'EINVAL', 'target LOG is not supported'],
  ['-A INPUT -j INPUT', 'EINVAL', "can't jump to built-in chain INPUT"],
  ['-A INPUT -x', 'EINVAL', "Illegal option `-x' with this command"],
  ['-L -p tcp', 'EINVAL', "Illegal option `-p' with this command"],
  ['-D INPUT 1 -p tcp', 'EINVAL', "Illegal option `-p' with this command"],
  ['-A INPUT -D INPUT 1', 'EINVAL', 'Cannot use -D with -A'],
  ['-I INPUT 0 -j DROP', 'EINVAL', "Invalid rule number `0'"],
  ['-D INPUT 0', 'EINVAL', "Invalid rule number `0'"],
  ['-A INPUT ! -j DROP', 'EINVAL', 'unexpected ! flag before --jump'],
  ['-A INPUT --bogus', 'EINVAL', 'unknown option "--bogus"'],
  ['-A', 'EINVAL', 'option "-A" requires an argument'],
  ['-p tcp', 'EINVAL', 'no command specified'],
  ['-P INPUT REJECT', 'EINVAL', 'Bad policy name.'],
  ['-P INPUT RETURN', 'EINVAL', 'Bad policy name.'],
  ['-N -foo', 'EINVAL', "chain name not allowed to start with `-'"],
  ['-N ACCEPT', 'EINVAL', 'chain name may not clash with target name'],
  ['-N averyveryveryverylongchainname123456', 'EINVAL', "chain name `averyveryveryverylongchainname123456' too long (must be under 29 chars)"],
  ['-A NOPE -j DROP', 'ENOENT', 'No chain/target/match by that name.'],
  ['-A INPUT -j NOPE', 'ENOENT', "Chain 'NOPE' does not exist"],
  ['-A INPUT -j accept', 'ENOENT', "Chain 'accept' does not exist"],
  ['-L nope', 'ENOENT', 'No chain/target/match by that name.'],
  ['-F nope', 'ENOENT', 'No chain/target/match by that name.'],
  ['-Z nope', 'ENOENT', 'No chain/target/match by that name.'],
  ['-X nope', 'ENOENT', 'No chain/target/match by that name.'],
  ['-P foo DROP', 'ENOENT', 'Bad built-in chain name.'],
  ['-t nat -A POSTROUTING -j ACCEPT', 'ENOENT', "can't initialize iptables table `nat': Table does not exist (do you need to insmod?)"],
  ['-D INPUT 99', 'E2BIG', 'Index of deletion too big.'],
  ['-I INPUT 99 -j DROP', 'E2BIG', 'Index of insertion too big.'],
  ['-R INPUT 1 -j DROP', 'E2BIG', 'Index of replacement too big.'],
  ['-D INPUT -p tcp --dport 9999 -j DROP', 'ENOENT', 'Bad rule (does a matching rule exist in that chain?).'],
  ['-X INPUT', 'EBUSY', 'CHAIN_DEL failed (Device or resource busy): chain INPUT'],
  ['-N INPUT', 'EEXIST', 'Chain already exists.'],
];

function thrown(fn: () => unknown): NetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    return e as NetError;
  }
  throw new Error('did not throw');
}

describe('Ipv4Firewall errors', () => {
  it.each(BAD)('iptables %s → %s', (cmd, code, message) => {
    const f = fixture();
    const before = f.fw.save();
    const e = thrown(() => f.fw.exec(cmd));
    expect(e.code).toBe(code);
    expect(e.message).toBe(`${code}: ${message}`);
    // A refused command changes nothing and registers nothing.
    expect(f.fw.save()).toBe(before);
    expect(f.ns.netfilter.hooks[NFPROTO_IPV4]!.every((l) => l.length === 0)).toBe(true);
  });

  it('user chains: busy while referenced or not empty, loops refused with ELOOP', () => {
    const f = fixture();
    f.fw.exec('-N a');
    f.fw.exec('-N b');
    f.fw.exec('-A a -j b');
    expect(thrown(() => f.fw.exec('-A b -j a')).code).toBe('ELOOP');
    expect(thrown(() => f.fw.exec('-A a -j a')).code).toBe('ELOOP');
    expect(thrown(() => f.fw.exec('-I b -p tcp -j a')).code).toBe('ELOOP');
    expect(thrown(() => f.fw.exec('-X b')).code).toBe('EBUSY'); // referenced by a
    expect(thrown(() => f.fw.exec('-X a')).code).toBe('EBUSY'); // not empty
    expect(thrown(() => f.fw.exec('-E a b')).code).toBe('EEXIST');
    expect(thrown(() => f.fw.exec('-E INPUT x')).code).toBe('EINVAL');
    expect(thrown(() => f.fw.exec('-P a DROP')).message).toBe('EINVAL: Bad built-in chain name.');
    f.fw.exec('-F a');
    f.fw.exec('-X b');
    f.fw.exec('-X a');
    expect(f.fw.chainNames()).toEqual(['INPUT', 'FORWARD', 'OUTPUT']);
  });

  it('the structured API checks what the text does', () => {
    const f = fixture();
    const bad: [RuleSpec, string][] = [
      [{ dport: 22 }, 'EINVAL: unknown option "--dport"'],
      [{ proto: 'udp', sport: [2000, 1000] }, 'EINVAL: invalid portrange (min > max)'],
      [{ proto: 'udp', sport: 65536 }, "EINVAL: invalid port/service `65536' specified"],
      [{ proto: 'udp', dport: 1.5 }, "EINVAL: invalid port/service `1.5' specified"],
      [{ proto: 300 }, 'EINVAL: unknown protocol "300" specified'],
      [{ proto: 'icmp', icmpType: 256 }, "EINVAL: Unknown ICMP type `256'"],
      [{ source: '10.0.0.0/40' }, "EINVAL: invalid mask `40' specified"],
      [{ target: 'REJECT', rejectWith: 'tcp-reset', proto: 'tcp' }, 'EINVAL: --reject-with tcp-reset is not supported yet'],
      [{ target: 'DROP', not: { source: true } }, 'EINVAL: "!" given for source, which the rule does not set'],
      [{ target: 'DROP', dPort: 22 } as RuleSpec, 'EINVAL: unknown rule field "dPort"'],
      [{ proto: 'tcp', match: 'udp' }, "EINVAL: UDP match requires '-p udp'"],
    ];
    for (const [spec, message] of bad) expect(thrown(() => f.fw.append('INPUT', spec)).message).toBe(message);
    expect(thrown(() => f.fw.append('nope', {})).code).toBe('ENOENT');
    expect(thrown(() => f.fw.setPolicy('INPUT', 'REJECT')).code).toBe('EINVAL');
    expect(thrown(() => f.fw.insert('INPUT', {}, 0)).code).toBe('EINVAL');
    expect(thrown(() => new Ipv4Firewall(f.ns, {} as never)).code).toBe('EINVAL');
    expect(f.fw.save()).toBe('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n');
  });

  it('accepts iptables spellings: long options, --opt=value, grouped flags, quotes, a leading "iptables"', () => {
    const f = fixture();
    f.fw.exec('iptables --append INPUT --protocol tcp --source-port=1024:65535 --destination 10.0.0.0/8 --jump ACCEPT');
    f.fw.exec(['-A', 'INPUT', '-ptcp', '--dport', '443', '-j', 'DROP']);
    f.fw.exec("-A INPUT -i 'eth+' -p icmp --icmp-type Echo-Req -j REJECT --reject-with icmp-net");
    expect(f.fw.exec('-nvxL INPUT --line-numbers').split('\n').slice(2, 5)).toEqual([
      '1           0        0 ACCEPT     6    --  *      *       0.0.0.0/0            10.0.0.0/8           tcp spts:1024:65535',
      '2           0        0 DROP       6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:443',
      '3           0        0 REJECT     1    --  eth+   *       0.0.0.0/0            0.0.0.0/0            icmptype 8 reject-with icmp-net-unreachable',
    ]);
  });
});
