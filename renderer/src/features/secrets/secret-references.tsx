import type { SecretDetail } from '@shared/domain/secret';

/** What references a secret (connections, agents…), by name where it has one. */
export function SecretReferences(props: Readonly<{ references: SecretDetail['references']; testId: string }>) {
  return (
    <ul className="list" data-testid={props.testId}>
      {props.references.map((r) => (
        <li key={`${r.fromType}:${r.fromId}`}>
          {r.fromName ?? r.fromId} <span className="muted">({r.fromType})</span>
        </li>
      ))}
    </ul>
  );
}
