// Preloaded into EverShop (NODE_OPTIONS=--import) by tools/evershop/harness.py.
// EverShop 2.2.1 calls `server.listen(PORT)` with no host, i.e. on every interface; the test
// shop has a known admin password, so bind it to the loopback address instead.
import net from 'node:net';

const host = process.env.EVERSHOP_LISTEN_HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, host);
  }
  return listen.apply(this, args);
};
