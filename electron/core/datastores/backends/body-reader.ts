import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { BodySource } from './backend-port';

/**
 * A put's body, read in order into buffers the backend owns and reuses. Backends move bytes in fewer, larger
 * operations this way (for a local file, one thread-pool round trip per buffer instead of several per stream
 * chunk, and no fresh Buffer per chunk for the kernel to fault in), and memory stays at the buffers they hold,
 * whatever the body's pace.
 */
export interface BodyReader {
  /** The body's size when it is known up front (a local file), else null. A hint for sizing buffers only. */
  readonly sizeHint: number | null;
  /**
   * Fills `buf[offset..]` and resolves with the bytes added: fewer than asked only at the end of the body
   * (0 once it is over). Rejects with the body's error, or an AbortError once `signal` fires. Several fills may be
   * in flight: each takes the bytes that follow the previous call's, and they resolve in call order.
   */
  fill(buf: Buffer, offset?: number): Promise<number>;
  /** Stops reading; a file opened by the reader is closed. Safe to call more than once. */
  close(): Promise<void>;
}

export const abortError = (cause?: unknown): Error => Object.assign(new Error('upload cancelled', { cause }), { name: 'AbortError' });

/** Reads the body as its source says: a local file by positioned reads from its path, anything else as a stream. */
export async function openBodyReader(source: BodySource, signal?: AbortSignal): Promise<BodyReader> {
  if (signal?.aborted) throw abortError();
  return source.kind === 'file' ? openFileReader(source.path, signal) : new StreamReader(source.body, signal);
}

/**
 * A local file, opened here and read with positioned reads straight into the caller's buffers (no stream, no fresh
 * Buffer per chunk); the reader owns the descriptor and closes it.
 */
async function openFileReader(file: string, signal?: AbortSignal): Promise<BodyReader> {
  const fh = await fsp.open(file, 'r');
  // One fstat of the open descriptor: the size sizes buffers, and a short read that reaches it is the end of a
  // regular file (so no extra read is spent finding the end). What the file holds when it is read is what is stored.
  let size: number | null = null;
  try {
    const st = await fh.stat();
    if (st.isFile()) size = st.size;
  } catch {
    // the size is only a hint
  }
  // Each fill owns the range after the previous call's, so fills may run at once (reads overlap in the pool).
  let next = 0;
  let end = Infinity; // where the file was found to end
  return {
    sizeHint: size,
    async fill(buf, offset = 0) {
      let at = offset;
      let position = next;
      next += buf.length - offset;
      while (at < buf.length && position < end) {
        if (signal?.aborted) throw abortError();
        const { bytesRead: n } = await fh.read(buf, at, buf.length - at, position);
        if (n === 0) end = Math.min(end, position);
        else if (size !== null && n < buf.length - at && position + n >= size) end = Math.min(end, position + n);
        at += n;
        position += n;
      }
      if (signal?.aborted) throw abortError();
      return at - offset;
    },
    // Callers close only once no fill is in flight; a second close is a no-op.
    close: () => fh.close().catch(() => undefined),
  };
}

/**
 * Any other Readable: chunks are copied into the caller's buffer as they arrive ('data' events, so a chunk is
 * never concatenated with its neighbours first), and the stream is paused whenever no fill is waiting.
 */
class StreamReader implements BodyReader {
  readonly sizeHint = null;
  private pending: Buffer | null = null;
  private ended = false;
  private failure: Error | null = null;
  /** Fills waiting for bytes, in call order; the first one is being filled. */
  private waiters: Array<{ buf: Buffer; start: number; at: number; resolve(n: number): void; reject(e: Error): void }> = [];
  private readonly onData = (chunk: Buffer | string) => this.take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onEnd = () => {
    this.ended = true;
    this.settle();
  };
  private readonly onError = (e: Error) => this.fail(e);
  private readonly onClose = () => {
    // Destroyed without an error and without ending: the body was cut short, which must not pass as a whole body.
    if (!this.ended) this.fail(Object.assign(new Error('the upload body closed before it ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
  };
  private readonly onAbort = () => this.fail(abortError());

  constructor(
    private readonly body: Readable,
    private readonly signal?: AbortSignal,
  ) {
    if (body.readableEnded) this.ended = true;
    else if (body.errored) this.failure = body.errored as Error;
    else if (body.destroyed) this.failure = Object.assign(new Error('the upload body was already closed'), { code: 'ERR_STREAM_DESTROYED' });
    body.on('error', this.onError);
    body.on('end', this.onEnd);
    body.on('close', this.onClose);
    signal?.addEventListener('abort', this.onAbort, { once: true });
    body.on('data', this.onData);
    body.pause();
  }

  fill(buf: Buffer, offset = 0): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ buf, start: offset, at: offset, resolve, reject });
      if (this.pending) {
        const p = this.pending;
        this.pending = null;
        this.take(p);
      }
      if (this.ended) this.settle();
      else if (this.waiters.length > 0) this.body.resume();
    });
  }

  private take(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length && this.waiters.length > 0) {
      const w = this.waiters[0]!;
      const n = Math.min(chunk.length - from, w.buf.length - w.at);
      chunk.copy(w.buf, w.at, from, from + n);
      w.at += n;
      from += n;
      if (w.at === w.buf.length) {
        this.waiters.shift();
        w.resolve(w.at - w.start);
      }
    }
    if (from < chunk.length) {
      // More than the waiting fills hold (or a chunk emitted as we paused): kept for the next fill.
      const rest = chunk.subarray(from);
      this.pending = this.pending ? Buffer.concat([this.pending, rest]) : rest;
    }
    if (this.waiters.length === 0) this.body.pause();
  }

  /** At the end of the body: the fill being filled gets what it has, the ones after it nothing. */
  private settle(): void {
    if (!this.ended || this.pending) return;
    for (const w of this.waiters.splice(0)) w.resolve(w.at - w.start);
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiters.splice(0)) w.reject(this.failure);
  }

  async close(): Promise<void> {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('close', this.onClose);
    this.signal?.removeEventListener('abort', this.onAbort);
    // The error listener stays: a body that fails after we stopped reading must not become an unhandled error.
    this.body.off('error', this.onError);
    this.body.on('error', () => undefined);
    this.body.pause();
  }
}
