import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

// Ports for the processes the environment starts (etcd, kube-apiserver, registries, …): a port is
// free when asked, and the process binds it a moment later. Ports the kernel hands out for bind(0)
// come from the ephemeral range, which every outgoing connection on the machine also draws from,
// so on a busy machine one of them can take the port in that moment (kube-apiserver then exits
// with "address already in use"). So ports are drawn at random from just below the ephemeral range,
// where only listeners that chose the very same number collide, and never twice by this process.

/** How many ports below the ephemeral range are drawn from. */
const SPAN = 12_000;
/** Bounded: after this many ports found busy, the kernel picks (bind to 0). */
const ATTEMPTS = 50;

const handedOut = new Set<number>();

/** The lowest port of the kernel's ephemeral range; undefined when it cannot be read. */
function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined;
  }
}

/** Binds `port` on 127.0.0.1 and closes it: the port bound (the kernel's pick for 0), or undefined if busy. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(bound));
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  if (low !== undefined && low - SPAN >= 1024) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const candidate = low - SPAN + Math.floor(Math.random() * SPAN);
      if (handedOut.has(candidate)) continue;
      if ((await tryPort(candidate)) !== undefined) {
        handedOut.add(candidate);
        return candidate;
      }
    }
  }
  const port = (await tryPort(0)) ?? 0;
  handedOut.add(port);
  return port;
}
