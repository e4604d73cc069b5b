/** A vault backup (.p1vault) between the browser and the vault:* channels, which carry it as base64. */
import { downloadBlob } from '../../components/download-file';

/** base64 of a File's bytes, in chunks (String.fromCharCode has an argument limit). */
export async function fileToBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Saves a backup through the browser's download (the console) or Electron's save dialog for downloads. */
export function downloadBase64(fileName: string, data: string): void {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  downloadBlob(fileName, new Blob([bytes], { type: 'application/octet-stream' }));
}
