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
            // labels for the centre and its direct neighbours only: 2-hop rings are too dense to read
            label: n.level <= 1 ? n.label : '',
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
        {
          selector: 'edge',
          style: { width: 1, 'line-color': '#b8c0cc', 'line-opacity': 0.55, 'curve-style': 'haystack' },
        },
      ],
      layout: {
        name: 'concentric',
        concentric: (n: cytoscape.NodeSingular) => 10 - Number(n.data('level')),
        levelWidth: () => 1,
        minNodeSpacing: 6,
        animate: false,
      },
      minZoom: 0.2,
      maxZoom: 4,
      wheelSensitivity: 0.3,
    });
    // Then a force-directed pass from the concentric start (deterministic: no random placement), which pulls
    // communities together; the centre stays pinned.
    if (nodes.length > 2) {
      cy.getElementById(String(nodes.find((n) => n.center)?.id ?? '')).lock();
      cy.layout({
        name: 'cose',
        randomize: false,
        animate: false,
        numIter: 600,
        nodeRepulsion: () => 6000,
        idealEdgeLength: () => 40,
        fit: true,
        padding: 20,
      }).run();
    }
    if (onPick) cy.on('tap', 'node', (e) => onPick(Number(e.target.id())));
    return () => cy.destroy();
  }, [nodes, edges, onPick]);
  return <div ref={box} class="graph" data-nodes={nodes.length} data-edges={edges.length} />;
}
