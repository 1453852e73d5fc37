import cytoscape from 'cytoscape';
import { useEffect, useRef } from 'preact/hooks';
import { classColor } from './ui.js';

export interface ViewNode {
  id: number;
  /** Fill: the predicted class (or the true one when there is no prediction). */
  fill: number;
  /** Ring: the true class; -1 = unknown. */
  ring: number;
  label: string;
  center?: boolean;
  /** Ring number for the concentric layout (0 = centre). */
  level: number;
}

/**
 * A small graph drawn with cytoscape.js on a canvas: fill = predicted class, ring = true class, so a wrong
 * prediction shows as a node whose ring and fill differ. Concentric layout by hop: deterministic and fast.
 */
export function GraphView({
  nodes,
  edges,
  onPick,
}: {
  nodes: ViewNode[];
  edges: [number, number][];
  onPick?: (id: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const cy = cytoscape({
      container: box.current,
      elements: [
        ...nodes.map((n) => ({
          data: {
            id: String(n.id),
            label: n.label,
            fill: classColor(n.fill),
            ring: n.ring < 0 ? '#cccccc' : classColor(n.ring),
            size: n.center ? 34 : 18,
            level: n.level,
          },
        })),
        ...edges.map(([a, b]) => ({ data: { id: `${a}-${b}`, source: String(a), target: String(b) } })),
      ],
      style: [
        {
          selector: 'node',
          style: {
            'background-color': 'data(fill)',
            'border-color': 'data(ring)',
            'border-width': 4,
            width: 'data(size)',
            height: 'data(size)',
            label: 'data(label)',
            'font-size': 9,
            color: '#333',
            'text-valign': 'bottom',
            'text-margin-y': 3,
          },
        },
        { selector: 'edge', style: { width: 1, 'line-color': '#b8c0cc', 'curve-style': 'haystack' } },
      ],
      layout: {
        name: 'concentric',
        concentric: (n: cytoscape.NodeSingular) => 10 - Number(n.data('level')),
        levelWidth: () => 1,
        minNodeSpacing: 6,
        animate: false,
      },
      wheelSensitivity: 0.3,
    });
    if (onPick) cy.on('tap', 'node', (e) => onPick(Number(e.target.id())));
    return () => cy.destroy();
  }, [nodes, edges, onPick]);
  return <div ref={box} class="graph" data-nodes={nodes.length} data-edges={edges.length} />;
}
