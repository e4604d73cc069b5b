/** JSON editor check, as you type. The message names a line and column, never the text itself (it is a secret). */
export function checkJsonObject(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (!text.trim()) return { ok: false, message: 'Type a JSON object, e.g. {"user": "svc", "password": "…"}' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const pos = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    if (!pos) return { ok: false, message: 'Not valid JSON: check for a missing quote, comma or brace at the end' };
    const before = text.slice(0, Number(pos[1]));
    const line = before.split('\n').length;
    const col = before.length - before.lastIndexOf('\n');
    return { ok: false, message: `Not valid JSON at line ${line}, column ${col}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { ok: false, message: 'The value must be a JSON object ({…}), not an array or a single value' };
  return { ok: true, value: parsed as Record<string, unknown> };
}
