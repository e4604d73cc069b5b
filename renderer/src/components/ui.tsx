import { TriangleAlert } from 'lucide-react';
import type { ReactNode } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { shortcutHint } from './shortcuts';
import { Tip } from './tooltip';

export function EmptyState(props: Readonly<{ title: string; children: ReactNode; testId?: string; action?: ReactNode }>) {
  return (
    <div className="empty" data-testid={props.testId ?? 'empty-state'}>
      <h3>{props.title}</h3>
      <p>{props.children}</p>
      {props.action}
    </div>
  );
}

export function ErrorBanner(props: Readonly<{ error?: IpcError | null; testId?: string }>) {
  if (!props.error) return null;
  return (
    <div className="error-banner" role="alert" data-testid={props.testId ?? 'error-banner'}>
      {props.error.message}
    </div>
  );
}

/**
 * A screen's primary action ("New connection"…); pass false where the role may not use it, and it is not shown.
 * `disabled` with `aside`: shown but unusable for now, with the way out beside it (e.g. the vault's inline Unlock).
 */
export type PrimaryAction = { label: string; testId: string; onClick: () => void; disabled?: boolean; aside?: ReactNode };

/** A screen: its heading (title, what it is for, its primary action) above its content. `gate`: a vault gate's width. */
export function Screen(
  props: Readonly<{ testId: string; title: string; subtitle?: string; primary?: PrimaryAction | false; gate?: boolean; children: ReactNode }>,
) {
  const { primary } = props;
  return (
    <section className={props.gate ? 'screen vault-gate' : 'screen'} data-testid={props.testId}>
      <header className="screen-header">
        <div>
          <h1>{props.title}</h1>
          {props.subtitle && <p className="muted">{props.subtitle}</p>}
        </div>
        <div className="actions">
          {primary && primary.aside}
          {primary && (
            // data-shortcut: the "new" shortcut (N, Ctrl+N; components/shortcuts.tsx) clicks this button.
            <Tip label={primary.label} shortcut={shortcutHint('new')}>
              <button data-testid={primary.testId} data-shortcut="new" disabled={primary.disabled} onClick={primary.onClick}>
                {primary.label}
              </button>
            </Tip>
          )}
        </div>
      </header>
      {props.children}
    </section>
  );
}

export function RiskBadge(props: Readonly<{ risk: 'low' | 'medium' | 'high' }>) {
  return (
    <span className={`badge risk-${props.risk}`} data-testid={`risk-${props.risk}`}>
      {props.risk === 'high' && <TriangleAlert size={12} aria-hidden className="icon-inline" />}
      {props.risk}
    </span>
  );
}

