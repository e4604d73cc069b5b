import { Modal } from '../../components/dialog';
import type { ConflictChoice } from './datastores-store';

/** Some dropped keys exist already: replace them, keep both ("name (1).ext"), skip them, or cancel the upload. */
export function ConflictDialog(props: Readonly<{ conflicts: string[]; onChoose: (c: ConflictChoice | null) => void }>) {
  return (
    <Modal
      wide
      title={`${props.conflicts.length} file(s) already exist`}
      onClose={() => props.onChoose(null)}
      testId="conflict-dialog"
      actions={
        <>
          <button className="secondary" onClick={() => props.onChoose(null)}>Cancel upload</button>
          <button className="secondary" data-testid="conflict-skip" onClick={() => props.onChoose('skip')}>Skip them</button>
          <button className="secondary" data-testid="conflict-keep-both" onClick={() => props.onChoose('keep-both')}>Keep both</button>
          <button className="danger" data-testid="conflict-replace" onClick={() => props.onChoose('replace')}>Replace</button>
        </>
      }
    >
      <ul className="list mono">
        {props.conflicts.slice(0, 10).map((k) => (
          <li key={k}>{k}</li>
        ))}
        {props.conflicts.length > 10 && <li>…and {props.conflicts.length - 10} more</li>}
      </ul>
      <p className="muted">“Keep both” uploads the new files as “name (1).ext”.</p>
    </Modal>
  );
}
