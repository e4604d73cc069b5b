import { Tooltip as RadixTooltip } from 'radix-ui';
import type { ComponentType, ReactElement, SVGProps } from 'react';

/** Where tooltips live: App wraps everything in it once (a short delay, one tooltip at a time). */
export function TooltipProvider(props: Readonly<{ children: ReactElement }>) {
  return <RadixTooltip.Provider delayDuration={400}>{props.children}</RadixTooltip.Provider>;
}

/**
 * A hint on hover and keyboard focus (Radix Tooltip), with the keyboard shortcut when there is one. It names a control
 * for sighted users; the control still carries its own accessible name (its text or aria-label): the tooltip is
 * extra, never the only label.
 */
export function Tip(props: Readonly<{ label: string; shortcut?: string; side?: 'top' | 'right' | 'bottom' | 'left'; children: ReactElement }>) {
  return (
    <RadixTooltip.Root>
      <RadixTooltip.Trigger asChild>{props.children}</RadixTooltip.Trigger>
      <RadixTooltip.Portal>
        <RadixTooltip.Content className="tooltip" side={props.side ?? 'bottom'} sideOffset={6} collisionPadding={8}>
          {props.label}
          {props.shortcut && <kbd>{props.shortcut}</kbd>}
        </RadixTooltip.Content>
      </RadixTooltip.Portal>
    </RadixTooltip.Root>
  );
}

/** An icon-only button: the icon is decoration (aria-hidden), `label` is its accessible name and its tooltip. */
export function IconButton(
  props: Readonly<{
    icon: ComponentType<SVGProps<SVGSVGElement> & { size?: number }>;
    label: string;
    onClick: () => void;
    testId?: string;
    shortcut?: string;
    className?: string;
    side?: 'top' | 'right' | 'bottom' | 'left';
    expanded?: boolean;
  }>,
) {
  const Icon = props.icon;
  return (
    <Tip label={props.label} shortcut={props.shortcut} side={props.side}>
      <button
        type="button"
        className={`icon-button ${props.className ?? 'secondary'}`}
        aria-label={props.label}
        aria-expanded={props.expanded}
        data-testid={props.testId}
        onClick={props.onClick}
      >
        <Icon size={16} aria-hidden />
      </button>
    </Tip>
  );
}
