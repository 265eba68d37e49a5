// The console's server-sent event streams: each polls the store every pollMs for as long as it is open,
// so a node holds only so many, per account and in all; one more is refused 429/20429 before it starts
// (an account opening thousands would otherwise have the node poll for nothing else). A slot is given
// back however the stream ends: the client leaving, its credentials failing, the server closing.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiContext } from '../context.ts';
import { ApiError, errors } from '../wire/errors.ts';
import { parseBasicAuth } from '../wire/basic-auth.ts';
import type { SseEvent } from './console-watch.ts';

/**
 * Defaults of --console-streams-per-account and --console-streams. A console tab holds one or two (its
 * Chat, Phone or execution page); each stream polls the store four times a second.
 */
export const DEFAULT_STREAMS_PER_ACCOUNT = 50;
export const DEFAULT_STREAMS = 500;

export interface StreamLimits {
  /** Streams one account may hold open on this node. */
  perAccount: number;
  /** Streams this node holds open in all. */
  total: number;
}

export interface StreamTiming {
  /** How often a stream looks at the store, ms. */
  pollMs: number;
  /** How often a stream sends a comment so proxies keep it open, ms. */
  keepAliveMs: number;
}

/** What a stream runs once it has its slot: `poll` every pollMs, `close` when it ends. */
export interface StreamSource {
  poll(): Promise<SseEvent[]>;
  close?(): void;
}

const tooManyStreams = (limit: number, scope: string) =>
  new ApiError(429, 20429, `Too many open console streams: at most ${limit} ${scope}; close a console tab (or its Chat or Phone) and retry`);

/**
 * Whether the credentials a stream was opened with still work, through the same (cached) authentication
 * every request goes through: a rotated token, a revoked API key or a deleted account stops working
 * within the read-cache time, and so does the stream.
 */
async function stillAuthorized(ctx: ApiContext, request: FastifyRequest): Promise<boolean> {
  const credentials = parseBasicAuth(request.headers.authorization);
  if (!credentials) return false;
  const account = await ctx.accounts.authenticate(credentials.username, credentials.password);
  return account !== null && account.sid === request.account.sid;
}

/** The open streams of one server: how many each account holds, and how to end them all. */
export class ConsoleStreams {
  readonly #ctx: ApiContext;
  readonly #limits: StreamLimits;
  readonly #timing: StreamTiming;
  readonly #open = new Set<() => void>();
  readonly #perAccount = new Map<string, number>();

  constructor(ctx: ApiContext, limits: StreamLimits, timing: StreamTiming) {
    this.#ctx = ctx;
    this.#limits = limits;
    this.#timing = timing;
  }

  /** Streams open now, in all and of one account. */
  count(accountSid?: string): number {
    return accountSid === undefined ? this.#open.size : (this.#perAccount.get(accountSid) ?? 0);
  }

  /** Ends every open stream (the server is closing: shutdown never waits on a browser tab). */
  closeAll(): void {
    for (const finish of [...this.#open]) finish();
  }

  /**
   * Runs a server-sent event stream: `source.poll` is called every pollMs and its events are written out.
   * Throws 429/20429 (before anything is sent, and before `start` runs) when the account or the node holds
   * as many as it may. The first poll runs at once so a client sees the current state without waiting.
   * Each poll first checks the credentials again: once they stop working, the stream says `unauthorized`
   * (the 401 body) and ends, as any request with them would be answered 401.
   */
  open(request: FastifyRequest, reply: FastifyReply, start: () => StreamSource): void {
    const accountSid = request.account.sid;
    const held = this.count(accountSid);
    if (held >= this.#limits.perAccount) throw tooManyStreams(this.#limits.perAccount, 'per account on this server');
    if (this.#open.size >= this.#limits.total) throw tooManyStreams(this.#limits.total, 'on this server');
    this.#perAccount.set(accountSid, held + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.#perAccount.get(accountSid) ?? 1) - 1;
      if (left > 0) this.#perAccount.set(accountSid, left);
      else this.#perAccount.delete(accountSid);
    };
    let source: StreamSource;
    try {
      source = start();
    } catch (error) {
      release();
      throw error;
    }
    const raw = reply.raw;
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(keepAlive);
      this.#open.delete(finish);
      release();
      source.close?.();
      raw.end();
    };
    this.#open.add(finish);
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'twilio-request-id': request.id,
    });
    raw.write('retry: 2000\n\n');
    let running = false;
    let eventId = 0;
    const run = async () => {
      if (running || closed) return;
      running = true;
      try {
        if (!(await stillAuthorized(this.#ctx, request))) {
          if (!closed) raw.write(`event: unauthorized\ndata: ${JSON.stringify(errors.authenticate().toBody())}\n\n`);
          finish();
          return;
        }
        for (const event of await source.poll()) {
          if (closed) break;
          raw.write(`id: ${++eventId}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
        }
      } catch (error) {
        request.log.warn({ err: error }, 'console stream poll failed');
        if (!closed) raw.write(`event: stream-error\ndata: ${JSON.stringify({ message: 'poll failed; retrying' })}\n\n`);
      } finally {
        running = false;
      }
    };
    const timer = setInterval(() => void run(), this.#timing.pollMs);
    const keepAlive = setInterval(() => {
      if (!closed) raw.write(': keep-alive\n\n');
    }, this.#timing.keepAliveMs);
    // A browser tab closing or navigating away ends the stream, its polling, and gives back its slot.
    request.raw.on('close', finish);
    raw.on('close', finish);
    // A client gone while the route was still checking the request has already closed: nothing will say so again.
    if (raw.destroyed || request.raw.socket?.destroyed) {
      finish();
      return;
    }
    void run();
  }
}
