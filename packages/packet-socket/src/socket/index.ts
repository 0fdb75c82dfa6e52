/** AF_PACKET sockets. */
export { PacketSocket, type TpacketStats } from './packet-socket.js';
export { PacketNet, PACKET_NET, packetNet } from './packet-net.js';
export { newPacketRecord, type PacketRecord, type SockaddrLl, type PacketDest } from './record.js';
export { type PacketMreq, type PacketMclist } from './membership.js';
export { type FanoutArgs } from './fanout-join.js';
export { Fanout, Rollover, RolloverStats, ROLLOVER_HLEN, ROOM_NONE, ROOM_LOW, ROOM_NORMAL } from './fanout.js';
export { flowHashSymmetric } from './flow-hash.js';
export * from './constants.js';
export { PacketCapture, pktTypeToEpbFlags, SLL_HDR_LEN, type PacketCaptureOptions } from './capture.js';
