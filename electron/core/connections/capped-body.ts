/**
 * Reads at most `max` bytes of a provider's response body; `over` when there was more (the rest is not downloaded, the
 * stream is cancelled). Test connection and the workflow http step both read provider answers through it, so neither
 * can be made to buffer an unbounded body.
 */
export async function readCapped(res: Response, max: number): Promise<{ bytes: Buffer; over: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), over: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.alloc(0), over: true };
    }
    chunks.push(value);
  }
  return { bytes: Buffer.concat(chunks), over: false };
}
