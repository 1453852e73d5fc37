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

/** How one edge is stroked (explanations: width and opacity by importance). */
export interface EdgeStroke {
  width: number;
  opacity: number;
  color: string;
  dashed?: boolean;
}

/**
 * A small graph drawn with cytoscape.js on a canvas: fill = predicted class, ring = true class, so a wrong
 * prediction shows as a node whose ring and fill differ. Concentric layout by hop: deterministic and fast.
 *
 * With `strokes` (one per edge), the edges are directed (source → target, arrow at the target) and each is drawn
 * with its own width, opacity and colour; the container then carries the widths cytoscape computed for the drawn
 * edges in `data-edge-widths` (edge order), so a reader of the page can check what was drawn.
 */
export function GraphView({
  nodes,
  edges,
  strokes,
  onPick,
}: {
  nodes: ViewNode[];
  edges: [number, number][];
  strokes?: EdgeStroke[];
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
        ...edges.map(([a, b], k) => {
          const st = strokes?.[k];
          return {
            data: { id: `${a}-${b}`, source: String(a), target: String(b), order: k },
            ...(st
              ? {
                  style: {
                    width: st.width,
                    'line-opacity': st.opacity,
                    'line-color': st.color,
                    'target-arrow-color': st.color,
                    'line-style': st.dashed ? 'dashed' : 'solid',
                  },
                }
              : {}),
          };
        }),
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
          style: strokes
            ? // both directions of a pair are separate edges with their own importance: bezier keeps them apart
              { 'curve-style': 'bezier', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.6 }
            : { width: 1, 'line-color': '#b8c0cc', 'line-opacity': 0.55, 'curve-style': 'haystack' },
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
    if (strokes && box.current) {
      const drawn = cy
        .edges()
        .sort((a, b) => Number(a.data('order')) - Number(b.data('order')))
        .map((e) => e.numericStyle('width'));
      box.current.dataset.edgeWidths = drawn.join(',');
    }
    return () => cy.destroy();
  }, [nodes, edges, strokes, onPick]);
  return (
    <div
      ref={box}
      class="graph"
      data-nodes={nodes.length}
      data-edges={edges.length}
      data-center={nodes.find((n) => n.center)?.id}
    />
  );
}
