import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pngAvailable, svgToPng } from '../../src/charts/png.js';
import { barChart, escapeXml, histogram, lineChart } from '../../src/charts/svg.js';
import { formatTick, linearTicks, logTicks } from '../../src/charts/ticks.js';

/** Minimal well-formedness check: every opened element is closed in order. */
function assertWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    if (self) continue;
    if (close) assert.equal(stack.pop(), name, `unbalanced </${name}>`);
    else stack.push(name);
  }
  assert.deepEqual(stack, []);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
}

const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const rects = (svg: string) => [...svg.matchAll(/<rect ([^>]*)>/g)].map((m) => m[1]);
const attr = (s: string, name: string) => Number(new RegExp(`${name}="([-0-9.]+)"`).exec(s)?.[1]);

describe('ticks', () => {
  it('linear ticks are nice steps covering the range', () => {
    const t = linearTicks(0, 93, 6).map((x) => x.value);
    assert.deepEqual(t, [0, 20, 40, 60, 80, 100]);
    const u = linearTicks(0.013, 0.048, 5).map((x) => x.value);
    assert.ok(u[0] <= 0.013 && u[u.length - 1] >= 0.048);
    assert.ok(u.length >= 3 && u.length <= 8);
  });
  it('log ticks are decades, with unlabelled minors over few decades', () => {
    const t = logTicks(1, 1000);
    assert.deepEqual(
      t.filter((x) => !x.minor).map((x) => x.value),
      [1, 10, 100, 1000],
    );
    assert.equal(t.filter((x) => x.minor).length, 3 * 8);
    assert.equal(logTicks(1, 1e8).filter((x) => x.minor).length, 0);
  });
  it('formats compactly', () => {
    assert.deepEqual([0, 1200, 15000, 3e6, 0.125, 2.5, 1e-5].map(formatTick), [
      '0',
      '1200',
      '15k',
      '3M',
      '0.125',
      '2.5',
      '1e-5',
    ]);
  });
});

describe('barChart', () => {
  const svg = barChart({
    title: 'Classes <per> split',
    xLabel: 'class',
    yLabel: 'nodes',
    categories: ['a', 'b', 'c'],
    series: [
      { name: 'train', values: [10, 20, 30] },
      { name: 'test & val', values: [5, 0, 15] },
    ],
  });
  it('is well-formed with escaped text', () => {
    assertWellFormed(svg);
    assert.ok(texts(svg).includes('Classes &#60;per&#62; split'));
    assert.ok(texts(svg).includes('test &#38; val'), 'legend entry');
  });
  it('draws one bar per category × series, heights proportional to values', () => {
    // Bars carry a <title> child; the background and the legend swatches do not.
    const withTitle = [...svg.matchAll(/<rect ([^>]*)><title>([^<]*)<\/title>/g)];
    assert.equal(withTitle.length, 6);
    assert.equal(rects(svg).length, 6 + 1 + 2, 'bars + background + two legend swatches');
    const h = (label: string) => attr(withTitle.find((m) => m[2].startsWith(label))![1], 'height');
    assert.ok(Math.abs(h('train · c') / h('train · a') - 3) < 0.01);
    assert.equal(h('test &#38; val · b'), 0);
  });
  it('rejects a series of the wrong length', () => {
    assert.throws(() => barChart({ categories: ['a'], series: [{ name: 's', values: [1, 2] }] }), /2 values for 1/);
  });
  it('log scale skips zero bars and uses decade ticks', () => {
    const s = barChart({ categories: ['a', 'b'], series: [{ name: 's', values: [0, 500] }], logY: true });
    assert.equal([...s.matchAll(/<title>/g)].length, 1);
    assert.ok(texts(s).includes('1000'));
  });
});

describe('histogram', () => {
  it('log-y skips empty bins and labels decades', () => {
    const svg = histogram({
      edges: [1, 2, 4, 8, 16],
      counts: [900, 0, 40, 3],
      logY: true,
      logX: true,
      xLabel: 'degree',
    });
    assertWellFormed(svg);
    assert.equal([...svg.matchAll(/<title>/g)].length, 3);
    const labels = texts(svg);
    for (const d of ['1', '10', '100', '1000']) assert.ok(labels.includes(d), `tick ${d}`);
    assert.ok(labels.includes('degree'));
  });
  it('bars span their bin edges on a linear x', () => {
    const svg = histogram({ edges: [0, 1, 2], counts: [1, 1] });
    const bars = [...svg.matchAll(/<rect ([^>]*)><title>/g)].map((m) => m[1]);
    assert.equal(bars.length, 2);
    assert.ok(Math.abs(attr(bars[0], 'width') - attr(bars[1], 'width')) < 0.02);
    assert.ok(attr(bars[1], 'x') > attr(bars[0], 'x'));
  });
  it('validates edges', () => {
    assert.throws(() => histogram({ edges: [0, 1], counts: [1, 2] }), /need bins \+ 1/);
    assert.throws(() => histogram({ edges: [0, 2, 1], counts: [1, 2] }), /ascend/);
    assert.throws(() => histogram({ edges: [0, 1], counts: [1], logX: true }), /positive/);
  });
});

describe('lineChart', () => {
  it('draws one path per series, breaking at invalid points, with a legend', () => {
    const svg = lineChart({
      series: [
        { name: 'loss', x: [1, 2, 3, 4], y: [1, 0.5, Number.NaN, 0.1] },
        { name: 'val', x: [1, 2, 3, 4], y: [1.2, 0.7, 0.4, 0.3] },
      ],
      logY: true,
      yLabel: 'loss',
    });
    assertWellFormed(svg);
    const paths = [...svg.matchAll(/<path d="([^"]*)"/g)].map((m) => m[1]);
    assert.equal(paths.length, 2);
    assert.equal((paths[0].match(/M/g) ?? []).length, 2, 'NaN breaks the first line');
    assert.equal((paths[1].match(/M/g) ?? []).length, 1);
    assert.ok(texts(svg).includes('val'));
    assert.equal([...svg.matchAll(/<circle /g)].length, 7);
  });
});

describe('escapeXml', () => {
  it('escapes markup characters', () =>
    assert.equal(escapeXml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;'));
});

describe('svgToPng', () => {
  it('renders a PNG of the scaled size when the renderer is available', (t) => {
    if (!pngAvailable()) {
      t.skip('@resvg/resvg-js has no prebuilt binary for this platform');
      return;
    }
    const png = svgToPng(histogram({ edges: [0, 1, 2], counts: [3, 4], width: 300, height: 200 }), 2);
    assert.ok(png);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const dv = new DataView(png.buffer, png.byteOffset);
    assert.equal(dv.getUint32(16), 600);
    assert.equal(dv.getUint32(20), 400);
  });
});
