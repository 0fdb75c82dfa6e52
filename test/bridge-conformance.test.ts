/**
 * The bridge's rx_handler through the published conformance kit (@netstack/conformance), as a
 * third-party handler would be checked: a bridge br0 with the kit's port and a second port swp2
 * (a kit device that records what it transmits). STP is off (stp_state 0, Linux's default), so
 * ports forward at once.
 *
 * What br_handle_frame does with each probe: a frame for the port's own MAC (a local FDB entry)
 * goes up the bridge device (br_pass_frame_up: `Another` to br0); unknown unicast is flooded to
 * swp2 and consumed; broadcast and multicast are flooded to swp2 and passed up to br0 as well.
 */
import { RxHandlerResult, isMulticastEtherAddr, etherAddrEqual, type NetDevice } from '@netstack/core';
import { rxHandlerConformance, type KitContext } from '@netstack/conformance';
import { brAddIf, brDelIf, bridge, createBridge } from '@netstack/bridge';

function bridgeOf(ctx: KitContext): NetDevice {
  return ctx.ns.dev('br0');
}

rxHandlerConformance('bridge', {
  plugins: () => [bridge()],
  attach(port, ctx) {
    const swp2 = ctx.addDevice('swp2');
    const br = createBridge(ctx.ns, { name: 'br0' });
    try {
      brAddIf(br, port);
    } catch (err) {
      ctx.ns.unregisterNetdevice(br);
      throw err;
    }
    brAddIf(br, swp2);
    br.open();
    return () => {
      brDelIf(br, port);
      brDelIf(br, swp2);
      ctx.ns.unregisterNetdevice(br);
    };
  },
  expect(frame, ctx) {
    const br = bridgeOf(ctx);
    const swp2 = ctx.addDevice('swp2');
    if (isMulticastEtherAddr(frame.dst, 0)) return { result: RxHandlerResult.Another, to: br, transmitsOn: [swp2] };
    if (etherAddrEqual(frame.dst, 0, ctx.port.addr, 0)) return { result: RxHandlerResult.Another, to: br };
    return { result: RxHandlerResult.Consumed, transmitsOn: [swp2] };
  },
});
