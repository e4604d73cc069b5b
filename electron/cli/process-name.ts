import fs from 'node:fs';
import path from 'node:path';

/**
 * The program the CLI runs for, as a label for the audit log: the parent process's name (Linux: /proc/<ppid>/comm,
 * e.g. `bash`, `make`), else `provenanceone`. `exec` names the program it starts instead.
 */
export function parentProcessName(): string {
  try {
    const comm = fs.readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim();
    if (comm) return clean(comm);
  } catch {
    // not Linux, or not readable
  }
  return 'provenanceone';
}

/** Letters, digits and `._-/+@:` only, at most 64 characters (the server sanitises again; a label, never trusted). */
export function clean(name: string): string {
  return path.basename(name).replace(/[^A-Za-z0-9._\-/+@:]/g, '').slice(0, 64) || 'unknown';
}
