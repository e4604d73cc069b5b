import type { ReactNode } from 'react';
import type { IpcError } from '@shared/ipc/result';

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

export function ScreenHeader(props: Readonly<{ title: string; subtitle?: string; actions?: ReactNode }>) {
  return (
    <header className="screen-header">
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p className="muted">{props.subtitle}</p>}
      </div>
      <div className="actions">{props.actions}</div>
    </header>
  );
}

export function RiskBadge(props: Readonly<{ risk: 'low' | 'medium' | 'high' }>) {
  return (
    <span className={`badge risk-${props.risk}`} data-testid={`risk-${props.risk}`}>
      {props.risk === 'high' ? '▲ high' : props.risk}
    </span>
  );
}

