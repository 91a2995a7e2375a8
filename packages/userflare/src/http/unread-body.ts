import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How much of a body the server did not read it still takes off the wire after answering. */
export const UNREAD_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
/** How long after answering it waits for the rest of such a body, or for the client to close. */
export const UNREAD_BODY_LIMIT_MS = 5_000;

const watched = Symbol('userflare.unreadBodyWatched');
const discarding = Symbol('userflare.discarding');
const lingers = Symbol('userflare.lingers');

/** A connection dropping the body of a request it has answered. */
interface Discard {
  /** The answer closes the connection: its FIN has gone out, the client's is awaited. */
  closing: boolean;
}

interface BodySocket extends Socket {
  [discarding]?: Discard;
  [lingers]?: true;
}

function carriesBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and drops what is left of `request`'s body, within the bounds. When it ends, a keep-alive
 * connection carries on; a closing one waits for the client to close. Past `UNREAD_BODY_LIMIT_BYTES`
 * or `UNREAD_BODY_LIMIT_MS` the socket is destroyed.
 */
function discardRest(request: IncomingMessage, socket: BodySocket): void {
  const discard: Discard = { closing: false };
  socket[discarding] = discard;
  let bytes = 0;
  const stop = () => {
    clearTimeout(timer);
    request.off('data', count);
    request.off('end', ended);
    socket.off('close', stop);
    if (socket[discarding] === discard) socket[discarding] = undefined;
  };
  const close = () => {
    stop();
    socket.destroy();
  };
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > UNREAD_BODY_LIMIT_BYTES) close();
  };
  const ended = () => {
    if (!discard.closing) stop();
  };
  const timer = setTimeout(close, UNREAD_BODY_LIMIT_MS);
  timer.unref();
  // Reading it here, rather than leaving it to Node (IncomingMessage._dump), is what lets it be counted.
  request.on('data', count);
  request.once('end', ended);
  socket.once('close', stop);
}

/**
 * Node closes a connection whose answer said `Connection: close` as soon as the answer is written
 * (`destroySoon`), unread body or not; the client's next bytes then meet a reset, which can overtake
 * the answer on its way to the client (nodejs/node#38467, #54366). While a body is being dropped the
 * connection is half-closed instead: the answer and a FIN go out, and the body that follows is read
 * until the client closes, within the bounds (RFC 9112 §9.6).
 */
function lingeringDestroySoon(this: BodySocket): void {
  const discard = this[discarding];
  if (discard === undefined) {
    Socket.prototype.destroySoon.call(this);
    return;
  }
  discard.closing = true;
  this.end();
}

function watchUnreadBodyOf(request: IncomingMessage, response: ServerResponse, socket: BodySocket): void {
  (request as IncomingMessage & { [watched]?: true })[watched] = true;
  if (!socket[lingers]) {
    socket[lingers] = true;
    socket.destroySoon = lingeringDestroySoon;
  }
  // Before Node's own listener, which would drop the body uncounted or close the connection at once.
  response.prependOnceListener('finish', () => {
    if (!request.complete && !socket.destroyed) discardRest(request, socket);
  });
}

/**
 * Answering before a request's body has arrived (413, or an early 401, 403 or 404) must not cost the
 * client the answer (issue 15): a client still writing its body reads what the server said, not
 * `EPIPE` or `ECONNRESET`. On a keep-alive connection the rest of the body is dropped so the next
 * request can follow; a connection the answer closes (Fastify closes after every body it could not
 * parse) is half-closed, and what the client still sends is dropped until it closes. Either way at
 * most `UNREAD_BODY_LIMIT_BYTES` and `UNREAD_BODY_LIMIT_MS` per answer, after which the socket is
 * destroyed: a 10 GB body or a trickle costs the server no more. Call it from the first `onRequest` hook
 * (`createFastify` in app.ts), before any hook that may answer. Requests without a body pay two header reads.
 */
export function watchUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  const raw = request.raw;
  // An injected request has no socket to drain; a namespace's app sees the same request again.
  if (carriesBody(raw) && raw.socket instanceof Socket && !(watched in raw)) {
    watchUnreadBodyOf(raw, reply.raw, raw.socket);
  }
}
