import { useState } from 'react';

/** Copies `text` to the clipboard and says so; where the clipboard refuses, the label stays as it was. */
export function CopyButton(props: Readonly<{ text: string; testId?: string; label?: string; className?: string }>) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className={props.className ?? 'secondary'}
      data-testid={props.testId}
      onClick={() => void navigator.clipboard?.writeText(props.text).then(() => setCopied(true), () => undefined)}
    >
      {copied ? 'Copied' : (props.label ?? 'Copy')}
    </button>
  );
}
