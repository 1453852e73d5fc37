/**
 * The layer rule of src/: a folder imports only from folders below it. Floors are listed bottom-up; inside a
 * floor, a folder may import only the folders listed before it, so two siblings never depend on each other and
 * folders form no cycle. docs/guide/architecture.md draws the same picture; this list is its source of truth.
 */
const floors = [
  ['util'],
  ['config', 'charts', 'db'],
  ['engine'],
  ['data', 'nn'],
  ['track', 'storage', 'registry', 'sweep', 'request-log', 'monitor', 'train', 'explain'],
  ['serve'],
  ['jobs'],
  ['cli'],
];

const order = floors.flat();
const any = (names) => `^src/(${names.join('|')})/`;

const layerRules = order.map((folder, i) => {
  const floor = floors.findIndex((f) => f.includes(folder));
  const higherFloors = floors.slice(floor + 1).flat();
  const laterSiblings = floors[floor].slice(floors[floor].indexOf(folder) + 1);
  const forbidden = [...laterSiblings, ...higherFloors];
  return forbidden.length === 0
    ? null
    : {
        name: `layer-${folder}`,
        comment: `src/${folder} may import only ${order.slice(0, i).join(', ') || 'nothing in src'} (see .dependency-cruiser.cjs)`,
        severity: 'error',
        from: { path: `^src/${folder}/` },
        to: { path: any(forbidden) },
      };
});

module.exports = {
  forbidden: [
    ...layerRules.filter(Boolean),
    {
      name: 'src-not-web-or-tests',
      comment: 'the library does not import the dashboard sources, tests or benchmarks',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(web|test|bench|scripts)/' },
    },
    {
      name: 'every-folder-has-a-floor',
      comment: 'a new top-level folder of src needs a floor in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: any(order) },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'] },
  },
};
