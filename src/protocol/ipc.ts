// One typed request/reply helper for every surface: a page asks its host (a panel asks to run its
// job again, the Inspector asks for a pair across layers), the host answers, and the page's promise
// settles with the answer. Requests are declared once per surface in a request map of typed
// IpcRequest<Params, Response> values (as GitLens declares its IPC), so neither side writes a method
// name as a string; the host's handlers are keyed by the same map, so a missing handler is a type
// error. On the wire a request is `{type:'request', id, method, params}` and its reply
// `{type:'reply', id, ok, value | error}`. The worker thread dispatches its tasks through
// `handlerFor` too (core/worker/main.ts); its client keeps its own run protocol (progress, animation
// frames, cancel flag, transferred buffers).

/** A request a page may send: its method name on the wire, and (as types only) what it carries and gets back. */
export interface IpcRequest<Params, Response> {
  readonly method: string;
  /** Never set: carries the types. */
  readonly types?: { params: Params; response: Response };
}

export function ipcRequest<Params = void, Response = void>(method: string): IpcRequest<Params, Response> {
  return Object.freeze({ method });
}

export type ParamsOf<R> = R extends IpcRequest<infer P, unknown> ? P : never;
export type ResponseOf<R> = R extends IpcRequest<unknown, infer S> ? S : never;

/** A surface's requests, by name. */
export type RequestMap = { readonly [name: string]: IpcRequest<unknown, unknown> };

export interface RequestMessage { type: 'request'; id: number; method: string; params?: unknown }

export type ReplyMessage =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export function isRequestMessage(value: unknown): value is RequestMessage {
  const m = value as Partial<RequestMessage> | null;
  return typeof m === 'object' && m !== null && m.type === 'request' && typeof m.id === 'number' && typeof m.method === 'string';
}

/** The page's side: numbers each request and settles its promise with the matching reply. */
export class RequestClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  constructor(private readonly post: (message: RequestMessage) => void) {}

  send<R extends IpcRequest<unknown, unknown>>(request: R, ...params: ParamsOf<R> extends void ? [] : [ParamsOf<R>]): Promise<ResponseOf<R>> {
    const id = this.nextId++;
    return new Promise<ResponseOf<R>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ type: 'request', id, method: request.method, params: params[0] });
    });
  }

  /** Settles the request the reply answers; replies to nothing pending are ignored. */
  handleReply(reply: ReplyMessage): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(new Error(typeof reply.error === 'string' ? reply.error : 'The request failed.'));
  }
}

/**
 * The host's side: one handler per request of the map. Params arrive from an untrusted page, so a
 * handler gets them unchecked and checks them itself; its answer (or the message of what it throws)
 * becomes the reply.
 */
export type RequestHandlers<M extends RequestMap> = { readonly [K in keyof M]: (params: unknown) => Promise<ResponseOf<M[K]>> | ResponseOf<M[K]> };

/** The handler for a method name from the wire, looked up among the table's own entries only. */
export function handlerFor<H extends object>(handlers: H, method: string): H[keyof H] | undefined {
  return Object.prototype.hasOwnProperty.call(handlers, method) ? handlers[method as keyof H] : undefined;
}

/** Answers one request with its handler: the reply carries the answer, or the error's message. */
export async function answerRequest<M extends RequestMap>(requests: M, handlers: RequestHandlers<M>, message: RequestMessage,
  post: (reply: ReplyMessage) => void): Promise<void> {
  const name = Object.keys(requests).find((k) => requests[k].method === message.method);
  const handler = name === undefined ? undefined : handlerFor(handlers, name) as ((params: unknown) => unknown) | undefined;
  if (!handler) {
    post({ type: 'reply', id: message.id, ok: false, error: `Unknown request "${message.method.slice(0, 40)}"` });
    return;
  }
  try {
    post({ type: 'reply', id: message.id, ok: true, value: await handler(message.params) });
  } catch (err) {
    post({ type: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}
