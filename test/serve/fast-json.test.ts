/**
 * The byte-level body parser must give exactly what JSON.parse gives, or decline (undefined) so JSON.parse runs.
 * Inputs: the serving benchmarks' real request bodies, numbers written every way the JSON grammar allows, invalid
 * texts, and random documents from a seeded generator (its purpose: cover nesting, mixed arrays, whitespace and
 * number forms no hand-written list would).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { subgraph, v2Body } from '../../bench/serve-workload.js';
import { kernelsWasmPath } from '../../src/engine/backend/kernels-module.js';
import { parseJsonFast } from '../../src/serve/fast-json.js';
import { mulberry32 } from '../../src/util/random.js';

const wasmBuilt = existsSync(kernelsWasmPath());
/** The plain-TS number loop (the reference twin) unless `wasm` (the kernel, used for bodies of 4 KB and more). */
let useWasm = false;
const parse = (t: string) => parseJsonFast(Buffer.from(t, 'utf8'), { wasm: useWasm });

/** Either declined or identical to JSON.parse (deepStrictEqual tells -0 from 0). */
function agrees(text: string): boolean {
  const fast = parse(text);
  let ref: unknown;
  try {
    ref = JSON.parse(text);
  } catch {
    assert.equal(fast, undefined, `accepted invalid JSON: ${text.slice(0, 80)}`);
    return false;
  }
  if (fast === undefined) return false;
  assert.deepStrictEqual(fast, ref, text.slice(0, 200));
  return true;
}

for (const loop of ['plain TS', 'wasm kernel'] as const)
  describe(`parseJsonFast (${loop} number loop)`, {
    skip: loop === 'wasm kernel' && !wasmBuilt ? 'build/kernels.wasm missing: run npm run build:kernels' : false,
  }, () => {
    before(() => {
      useWasm = loop === 'wasm kernel';
    });

    it('parses the request bodies the server lives on, identically to JSON.parse', () => {
      for (const body of [subgraph(), subgraph(50, 3), v2Body(), { node_ids: [4242, 0, 11700] }]) {
        const text = JSON.stringify(body);
        assert.ok(agrees(text), 'must not decline a common body');
        assert.ok(agrees(JSON.stringify(body, null, 2)), 'pretty-printed');
      }
    });

    it('reads numbers in every grammatical form exactly (fast path) or declines them', () => {
      const forms = [
        '0',
        '-0',
        '-0.0',
        '0.5',
        '-0.000123',
        '1',
        '42',
        '-7',
        '123456789012345',
        '9007199254740991',
        '9007199254740993',
        '1e22',
        '1e23',
        '1.5e-7',
        '2E+5',
        '3e-22',
        '3e-23',
        '0.1',
        '0.2',
        '0.30000000000000004',
        '1.7976931348623157e308',
        '5e-324',
        '1e400',
        '123.456e-10',
        '100000000000000000000000',
      ];
      let accepted = 0;
      for (const f of forms) {
        if (agrees(f)) accepted++;
        agrees(`[${f}]`);
        agrees(`[${f},${f}]`);
        agrees(`{"v":${f}}`);
      }
      assert.ok(accepted >= 17, `only ${accepted} of ${forms.length} number forms took the fast path`);
    });

    it('matches Number() on 200,000 random decimals with up to 15 digits and exponents within ±22', () => {
      const r = mulberry32(11);
      const parts: string[] = [];
      for (let k = 0; k < 200_000; k++) {
        const digits = 1 + Math.floor(r() * 15);
        let m = String(1 + Math.floor(r() * 9));
        for (let d = 1; d < digits; d++) m += String(Math.floor(r() * 10));
        const point = Math.floor(r() * (digits + 1));
        let s = point < digits ? `${m.slice(0, point) || '0'}.${m.slice(point)}` : m;
        if (point === 0) s = `0.${m}`;
        if (r() < 0.3) s += `e${Math.floor(r() * 15) - 7}`;
        if (r() < 0.5) s = `-${s}`;
        parts.push(s);
      }
      const text = `[${parts.join(',')}]`;
      const fast = parse(text) as number[] | undefined;
      assert.ok(fast, 'declined');
      for (let k = 0; k < parts.length; k++) {
        if (!Object.is(fast[k], Number(parts[k]))) assert.fail(`${parts[k]}: ${fast[k]} !== ${Number(parts[k])}`);
      }
    });

    it('declines invalid JSON (JSON.parse then words the error)', () => {
      for (const bad of [
        '',
        '   ',
        '{',
        '[1,]',
        '[1 2]',
        '01',
        '[01]',
        '1.',
        '[1.]',
        '.5',
        '-',
        '[-]',
        '1e',
        '[1e+]',
        '+1',
        '{"a" 1}',
        '{"a":1,}',
        '{a:1}',
        '[NaN]',
        '[Infinity]',
        '[-Infinity]',
        'tru',
        'nul',
        '1 x',
        '"abc',
        '[1,2',
        '{"x": [[1, 2], [3, 4]], }',
      ]) {
        assert.equal(parse(bad), undefined, bad);
      }
    });

    it('declines what it does not cover: escapes, non-ASCII, __proto__ keys, very deep nesting', () => {
      assert.equal(parse('"a\\nb"'), undefined);
      assert.equal(parse('{"name": "café"}'), undefined);
      assert.equal(parse('{"__proto__": {"x": 1}}'), undefined);
      assert.equal(parse(`${'['.repeat(100)}${']'.repeat(100)}`), undefined);
      assert.deepStrictEqual(
        parse(`${'['.repeat(60)}1${']'.repeat(60)}`),
        JSON.parse(`${'['.repeat(60)}1${']'.repeat(60)}`),
      );
      // a "constructor" key is a plain own property, as with JSON.parse (the body parser's poison check sees it)
      assert.ok(agrees('{"constructor": {"prototype": {"polluted": true}}}'));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });

    it('agrees with JSON.parse on 3,000 random documents', () => {
      const r = mulberry32(5);
      const num = (): string => {
        const k = Math.floor(r() * 6);
        if (k === 0) return String(Math.floor(r() * 2000) - 1000);
        if (k === 1) return (r() * 2 - 1).toFixed(1 + Math.floor(r() * 8));
        if (k === 2) return String(r() * 10 ** (Math.floor(r() * 40) - 20)); // shortest round-trip: often 17 digits
        if (k === 3) return `${Math.floor(r() * 100)}e${Math.floor(r() * 50) - 25}`;
        if (k === 4) return r() < 0.5 ? '-0' : '0';
        return String(Math.fround(r() * 2 - 1));
      };
      const ws = () => [' ', '', '\n', '\t', '\r\n  '][Math.floor(r() * 5)];
      const gen = (depth: number): string => {
        const k = Math.floor(r() * (depth > 4 ? 3 : 6));
        if (k === 0) return num();
        if (k === 1) return ['true', 'false', 'null', '"x"', '"a b-c_d"', '""'][Math.floor(r() * 6)];
        if (k === 2) return num();
        if (k === 3 || k === 4) {
          const n = Math.floor(r() * 6);
          return `[${ws()}${Array.from({ length: n }, () => gen(depth + 1)).join(`${ws()},${ws()}`)}${ws()}]`;
        }
        const n = Math.floor(r() * 4);
        return `{${Array.from({ length: n }, (_, i) => `${ws()}"k${i % 3}"${ws()}:${ws()}${gen(depth + 1)}`).join(',')}${ws()}}`;
      };
      let accepted = 0;
      for (let t = 0; t < 3000; t++) {
        let text = gen(0);
        if (r() < 0.1) {
          // a random one-byte mutation: mostly invalid JSON, which must be declined
          const p = Math.floor(r() * text.length);
          text = text.slice(0, p) + ',]}[{"-.e0 '[Math.floor(r() * 12)] + text.slice(p + 1);
        }
        if (agrees(text)) accepted++;
      }
      assert.ok(accepted > 1500, `the fast path took only ${accepted} of 3000 documents`);
    });

    it('agrees with JSON.parse on 200 large documents (feature matrices with edits, ≥ 4 KB, the size the wasm loop takes)', () => {
      const r = mulberry32(9);
      let accepted = 0;
      for (let t = 0; t < 200; t++) {
        const n = 2 + Math.floor(r() * 20);
        let text = JSON.stringify(subgraph(n, t));
        if (t % 4 === 1) text = text.replace(/,/g, () => (r() < 0.01 ? ' , ' : ','));
        if (t % 4 === 2) {
          const p = Math.floor(r() * text.length);
          text = text.slice(0, p) + '-.e0,]x "1'[Math.floor(r() * 10)] + text.slice(p + 1);
        }
        if (t % 4 === 3) text = text.replace('[[', '[[1e5, -0, 0.5e-3, ');
        if (agrees(text)) accepted++;
      }
      assert.ok(accepted > 150, `the fast path took only ${accepted} of 200 documents`);
    });
  });
