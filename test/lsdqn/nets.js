// Test networks for LS-DQN: a Q-network with every parameter non-zero. A residual network starts with
// W0 = 0 (so its output would be the exact reward alone): it takes a full-Q network's parameters instead.
import * as rf from "../../dist/index.js";

/** LsdqnQNet(opts), residual when asked, with every parameter non-zero. */
export function nonZeroNet(opts, residual) {
  const full = new rf.lsdqn.LsdqnQNet(opts);
  if (!residual) return full;
  const net = new rf.lsdqn.LsdqnQNet({ ...opts, residual: true });
  net.loadStateDict(full.stateDict());
  full.dispose();
  return net;
}
