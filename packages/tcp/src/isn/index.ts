/** ISNs (RFC 6528) and timestamp offsets as net/core/secure_seq.c makes them, on SipHash-2-4. */
export { SipHash24, sipHashKeyFromBytes, sipHashKeyFromRandom, type RandomWords, type SipHashKey } from './siphash.js';
export { TcpSecureSeq, seqScale } from './secure-seq.js';
