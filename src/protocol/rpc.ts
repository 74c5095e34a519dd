// The one message helper for every webview boundary (and the errors shared with the worker pool).
//
// How to use it for a new panel:
//   1. In src/protocol/<panel>Messages.ts declare `interface MyRequests { doIt: { params: {...}; result: {...} } }`
//      (any `RequestMapShape`) and a validator `parseMyMessage(raw): RequestOf<MyRequests> | {type:'ready'}` that
//      throws ValidationError (field checkers: protocol/validate.ts).
//   2. Host (src/extension/rpcHost.ts): `new RpcHost<MyRequests>({ post, handlers: { doIt: async (params, signal,
//      progress) => ... }, log })`; feed it `host.dispatch(parsed)` or `host.refuse(raw, error)`, and a
//      `parseCancelRequest(raw)` to `host.cancel(id)`; `host.dispose()` with the panel. A newer request of the same type
//      aborts the older one's signal; the older caller gets a CancelledError. `progress(fraction)` reaches the caller
//      (throttled).
//   3. Webview (src/webview/common/rpcClient.ts): `const rpc = new RpcClient<MyRequests>()`; route host messages
//      through `rpc.onMessage(m)`; `await rpc.request('doIt', params, { onProgress, signal })` (or `rpc.latest(...)`:
//      null when overtaken); aborting `signal` asks the host to cancel it.
//   4. Host-initiated messages (no id, no reply) are notifications: declare `interface MyNotifications { done: {...} }`
//      and post them with `host.notify({ type: 'done', params })` (NotificationOf<MyNotifications>); the webview
//      handles every message that is not a reply in a switch on its type.
//   5. Errors cross as `WireError {name, message}` and reject the caller with an Error of that name; tell a
//      cancellation with isCancelled(e), and show any failure with userMessage(e).
// Pure: no vscode, DOM or Node imports (the host, the webviews and the workers all use it).

/** An error as it crosses a thread or webview boundary: the name survives so callers can tell kinds apart. */
export interface WireError {
  name: string;
  message: string;
  /** Kept for the host's log (worker -> host only); never sent to a webview. */
  stack?: string;
}

/** Name of the error a cancelled request or job rejects with. */
export const CANCELLED = 'CancelledError';

/** A request or job that was aborted (by its caller, a newer request of the same kind, or a closed panel). */
export class CancelledError extends Error {
  override readonly name = CANCELLED;
  constructor(message = 'the operation was cancelled') {
    super(message);
  }
}

/** Untrusted input (a webview message, a typed parameter) that is not what was expected; the message names the field. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

export const isCancelled = (e: unknown): boolean => e instanceof Error && e.name === CANCELLED;

/** Errors whose message is written for users (what was expected, what was found); others are shown with their name. */
export const USER_ERRORS: ReadonlySet<string> = new Set(['NormError', 'TextTensorError', 'ValidationError', 'FormatError', 'TooLargeError', 'UserError', 'JobStalledError']);

/** The one-line text shown to a user for an error. */
export function userMessage(e: unknown): string {
  if (e instanceof Error) return USER_ERRORS.has(e.name) ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

export function toWireError(e: unknown, withStack = false): WireError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  return withStack && e.stack ? { name: e.name, message: e.message, stack: e.stack } : { name: e.name, message: e.message };
}

/** A wire error as an Error of the same name and message (a CancelledError for cancellations). */
export function fromWireError(wire: WireError): Error {
  if (wire.name === CANCELLED) return new CancelledError(wire.message);
  if (wire.name === 'ValidationError') return new ValidationError(wire.message);
  const e = new Error(wire.message);
  e.name = wire.name;
  if (wire.stack) e.stack = wire.stack;
  return e;
}

// ---- requests and replies ----

/** Request types mapped to their params and result: `{ compute: { params: {...}; result: {...} } }`. */
export type RequestMapShape<M> = { [K in keyof M]: { params: unknown; result: unknown } };

export type ParamsOf<M extends RequestMapShape<M>, K extends keyof M> = M[K]['params'];
export type ResultOf<M extends RequestMapShape<M>, K extends keyof M> = M[K]['result'];

/** One request on the wire; for a union of every request of M leave K out. */
export type RequestOf<M extends RequestMapShape<M>, K extends keyof M & string = keyof M & string> =
  K extends keyof M & string ? { type: K; id: number; params: M[K]['params'] } : never;

/** The host's answer to request `id`: its result, or an error that rejects the caller's promise. */
export type Reply =
  | { type: 'reply'; id: number; result: unknown }
  | { type: 'reply'; id: number; error: WireError };

/** Largest request id a webview may use. */
export const MAX_REQUEST_ID = Number.MAX_SAFE_INTEGER;

/** Host -> webview while request `id` runs: the fraction done in [0, 1] (throttled by the host, never after the reply). */
export interface RequestProgress {
  type: 'requestProgress';
  id: number;
  fraction: number;
}

/** Webview -> host: stop request `id` (a Cancel button). It is answered by its reply: a CancelledError. */
export interface CancelRequest {
  type: 'cancelRequest';
  id: number;
}

/**
 * A webview message that cancels a request, checked (it is untrusted): the message, or undefined for any other type.
 * Panels look for it before their own validator.
 */
export function parseCancelRequest(raw: unknown): CancelRequest | undefined {
  if (typeof raw !== 'object' || raw === null || (raw as { type?: unknown }).type !== 'cancelRequest') return undefined;
  const id = (raw as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw new ValidationError(`cancelRequest.id: expected a request id, got ${JSON.stringify(id) ?? String(id)}`);
  return { type: 'cancelRequest', id };
}

// ---- notifications ----

/**
 * One host-initiated message of N (notification types mapped to their params): no id, no reply. For a union of
 * every notification of N leave K out. 'reply' and 'requestProgress' are taken by requests and cannot name one.
 */
export type NotificationOf<N, K extends keyof N & string = keyof N & string> =
  K extends 'reply' | 'requestProgress' ? never : K extends keyof N & string ? { type: K; params: N[K] } : never;
