import dagre from '@dagrejs/dagre';
import type { DagInput, DagNode } from './dag-input';

/** Node box size in the SVG (px). */
export const NODE = { width: 150, height: 44 } as const;

export type PlacedNode = DagNode & { x: number; y: number };
export type PlacedEdge = { from: string; to: string; points: Array<{ x: number; y: number }> };
export type DagLayout = { width: number; height: number; nodes: PlacedNode[]; edges: PlacedEdge[] };

/**
 * Lays the DAG out top to bottom with dagre. Only the lazily loaded preview imports this module, so dagre stays out
 * of the first screen's bundle.
 */
export function layoutDag(input: DagInput): DagLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: NODE.width, height: NODE.height });
  for (const e of input.edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: input.nodes.map((n) => {
      const p = g.node(n.id);
      return { ...n, x: p.x, y: p.y };
    }),
    edges: input.edges.map((e) => ({ ...e, points: (g.edge(e.from, e.to)?.points ?? []).map((p: { x: number; y: number }) => ({ x: p.x, y: p.y })) })),
  };
}
