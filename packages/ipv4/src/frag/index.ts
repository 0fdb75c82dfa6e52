/** IPv4 fragmentation (output) and reassembly (input). */
export { ipFragment } from './fragment.js';
export { Ipv4Defrag } from './defrag.js';
export { ipOptionsFragment, IPOPT_COPY } from './ip-options-fragment.js';
export {
  FragConf,
  registerFragSysctls,
  IPFRAG_HIGH_THRESH_DEFAULT,
  IPFRAG_LOW_THRESH_DEFAULT,
  IPFRAG_TIME_DEFAULT,
  IPFRAG_MAX_DIST_DEFAULT,
} from './frag-sysctl.js';
export { IP_FRAG_MIB_FIELDS, resolveIpFragSlots, type IpFragSlots } from './frag-mib.js';
export { IPQ_QSIZE } from './ipq.js';
