import { ArrowLeftRight, CircleHelp, Database, SquareFunction, type LucideIcon } from 'lucide-react';
import { useMemo } from 'react';
import type { DagInput } from './dag-input';
import { layoutDag, NODE } from './dag-layout';

/** Icons drawn as SVG (lucide): a text glyph would need a symbol or emoji font that many Linux desktops lack. */
const KIND_ICON: Record<string, LucideIcon> = { storage: Database, http: ArrowLeftRight, transform: SquareFunction };

/**
 * The definition's steps as a graph (dagre layout, SVG): a box per step with its kind, an arrow per `needs`. During
 * a run each box takes its step's status (class `dag-node status-…`, also `data-status` for tests). Loaded lazily.
 */
export default function DagPreview(props: Readonly<{ input: DagInput; focusStepId?: string; testId?: string }>) {
  const layout = useMemo(() => layoutDag(props.input), [props.input]);
  if (layout.nodes.length === 0) return <p className="muted">No steps to draw yet.</p>;
  return (
    <svg
      className="dag"
      role="img"
      aria-label={`Steps: ${layout.nodes.map((n) => n.id).join(', ')}`}
      data-testid={props.testId ?? 'workflow-dag'}
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
    >
      <defs>
        <marker id="dag-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="dag-arrow" />
        </marker>
      </defs>
      {layout.edges.map((e) => (
        <polyline key={`${e.from}->${e.to}`} className="dag-edge" fill="none" markerEnd="url(#dag-arrow)" points={e.points.map((p) => `${p.x},${p.y}`).join(' ')} />
      ))}
      {layout.nodes.map((n) => (
        <g
          key={n.id}
          className={`dag-node status-${n.status ?? 'none'}${n.id === props.focusStepId ? ' focus' : ''}`}
          data-testid="dag-node"
          data-step={n.id}
          data-status={n.status ?? ''}
          transform={`translate(${n.x - NODE.width / 2}, ${n.y - NODE.height / 2})`}
        >
          <title>{`${n.id} (${n.kind})${n.status ? `: ${n.status}` : ''}`}</title>
          <rect width={NODE.width} height={NODE.height} rx={8} />
          <KindIcon kind={n.kind} />
          <text x={26} y={18} className="dag-kind">
            {n.kind}
          </text>
          <text x={10} y={35} className="dag-label">
            {n.label.length > 20 ? `${n.label.slice(0, 19)}…` : n.label}
          </text>
        </g>
      ))}
    </svg>
  );
}

/** The step kind's icon, a nested <svg> at the box's top left (an SVG <text> glyph would need an emoji/symbol font). */
function KindIcon(props: Readonly<{ kind: string }>) {
  const Icon = KIND_ICON[props.kind] ?? CircleHelp;
  return <Icon x={8} y={7} width={14} height={14} aria-hidden className="dag-kind-icon" />;
}
