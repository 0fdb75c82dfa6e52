/** Whether two rules say the same thing (counters aside): how `-D CHAIN rule-spec` finds its rule. */
import { IFNAME_WORDS, type Rule } from './rule.js';

export function sameRule(a: Rule, b: Rule): boolean {
  for (let k = 0; k < 4 * IFNAME_WORDS; k++) if (a.ifaces[k] !== b.ifaces[k]) return false;
  return (
    a.src === b.src && a.smsk === b.smsk && a.invSrc === b.invSrc &&
    a.dst === b.dst && a.dmsk === b.dmsk && a.invDst === b.invDst &&
    a.inIface === b.inIface && a.invIn === b.invIn && a.outIface === b.outIface && a.invOut === b.invOut &&
    a.proto === b.proto && a.invProto === b.invProto && a.frag === b.frag && a.invFrag === b.invFrag &&
    a.l4 === b.l4 &&
    a.sptMin === b.sptMin && a.sptMax === b.sptMax && a.invSpt === b.invSpt &&
    a.dptMin === b.dptMin && a.dptMax === b.dptMax && a.invDpt === b.invDpt &&
    a.icmpType === b.icmpType && a.icmpCodeMin === b.icmpCodeMin && a.icmpCodeMax === b.icmpCodeMax && a.invIcmp === b.invIcmp &&
    a.target === b.target && a.rejectWith === b.rejectWith && a.jump === b.jump
  );
}
