/**
 * The encoded forms a secret value is commonly echoed back in: itself, base64 (standard, with and without padding),
 * base64url (unpadded) and URL-encoded (encodeURIComponent, and form encoding with `+` for spaces). One list for every
 * place that hides injected values: the workflow runner's scrubber and the CLI's `exec` masker. Web-standard APIs
 * only (TextEncoder, btoa), so it stays in the shared layer without Node.
 */
export function encodedForms(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const b64 = btoa(binary);
  const unpadded = b64.replace(/=/g, ''); // `=` is only ever padding in base64
  const uri = encodeURIComponent(value);
  return [value, b64, unpadded, unpadded.replace(/\+/g, '-').replace(/\//g, '_'), uri, uri.replace(/%20/g, '+')];
}
