/**
 * A request's lifetime as an AbortSignal, aborted when its response closes: the client left, the server
 * dropped the connection, or the response ended. Mounted first in the app, so the 'close' listener is on
 * before any await of any route: work a route starts after awaiting something (an event stream after a
 * session lookup) still sees a client that left during that await, instead of outliving it.
 */
import type { Request, RequestHandler, Response } from 'express';

const signals = new WeakMap<Response, AbortSignal>();

export function requestScope(): RequestHandler {
  return (req: Request, res: Response, next) => {
    const controller = new AbortController();
    signals.set(res, controller.signal);
    res.once('close', () => controller.abort());
    // The connection may have gone before this first middleware ran (no 'close' would follow).
    if (req.socket.destroyed) controller.abort();
    next();
  };
}

/** The signal of requestScope() for this response; throws if the app does not mount requestScope(). */
export function requestSignal(res: Response): AbortSignal {
  const signal = signals.get(res);
  if (!signal) throw new Error('requestScope() is not mounted before this route');
  return signal;
}
