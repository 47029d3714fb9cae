// The two ways a caller finishes with a response it will not stream: release it, so its connection
// goes back to the pool, or turn it into the typed error of the request that got it.
import type { SendRequest } from './transport.ts';
import { responseError, type WireResponse } from './wire.ts';

/** Drains and discards the body; a body that fails while draining has nothing left to give. */
export function releaseResponse(res: WireResponse): Promise<void> {
  return res.body.dump().catch(() => undefined);
}

/** A thrower of the typed error (registry, repository, digest, action, scope) for an unexpected answer. */
export function requestFailure(
  registry: string,
  now: () => number,
): (res: WireResponse, req: SendRequest) => Promise<never> {
  return async (res, req) => {
    throw await responseError(res, req.method, {
      registry,
      repository: req.repository,
      digest: req.digest,
      action: req.action,
      scope: req.scopes.join(' '),
      now,
    });
  };
}
