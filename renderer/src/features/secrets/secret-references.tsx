import type { SecretDetail } from '@shared/domain/secret';
import { UsedByList } from '../workflows/used-by-list';

/** What references a secret (connections, workflow steps…), by name where it has one; workflows are links. */
export function SecretReferences(props: Readonly<{ references: SecretDetail['references']; testId: string }>) {
  return <UsedByList referrers={props.references.map((r) => ({ type: r.fromType, id: r.fromId, name: r.fromName }))} testId={props.testId} />;
}
