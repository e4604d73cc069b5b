import type { SecretVersion } from '@shared/domain/secret';

const SOURCE: Record<SecretVersion['source'], string> = { create: 'created', rotate: 'rotated', scheduled: 'rotated on schedule', rollback: 'rolled back' };

/** Where a version came from, in words; a rollback says which version it restored ("rolled back from v3"). */
export function versionSource(v: Pick<SecretVersion, 'source' | 'restoredFrom'>): string {
  return v.source === 'rollback' && v.restoredFrom !== null ? `rolled back from v${v.restoredFrom}` : SOURCE[v.source];
}
