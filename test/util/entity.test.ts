import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codecs as c, defineEntity } from '../../src/util/entity.js';
import { isGnnopsError } from '../../src/util/errors.js';

interface Thing {
  id: string;
  count: number;
  score: number;
  flag: boolean | null;
  kind: 'a' | 'b';
  meta: Record<string, unknown>;
  when: number | null;
}

// A small entity with one field of each codec family, to pin the codecs' behaviour independently of any store.
const things = defineEntity<Thing>()({
  name: 'thing',
  table: 'things',
  columns: {
    id: { column: 'id', codec: c.text },
    count: { column: 'n', codec: c.int, json: 'count' },
    score: { column: 'score', codec: c.metricValue },
    flag: { column: 'flag', codec: c.nullable(c.bool) },
    kind: { column: 'kind', codec: c.oneOf(['a', 'b'] as const) },
    meta: { column: 'meta_json', codec: c.jsonObject<Record<string, unknown>>(), json: 'meta' },
    when: { column: 'at', codec: c.nullable(c.int), json: false },
  },
});

const rec: Thing = { id: 't1', count: 3, score: 0.5, flag: true, kind: 'b', meta: { x: [1, 2] }, when: null };

function dataInvalid(pattern: RegExp) {
  return (e: unknown) => isGnnopsError(e) && e.code === 'E_DATA_INVALID' && pattern.test(e.message);
}

describe('defineEntity', () => {
  test('record → row → record is lossless and the row holds driver cells under column names', () => {
    const row = things.toRow(rec);
    assert.deepEqual(row, { id: 't1', n: 3, score: 0.5, flag: 1, kind: 'b', meta_json: '{"x":[1,2]}', at: null });
    assert.deepEqual(things.fromRow(row), rec);
    assert.deepEqual(things.columns, ['id', 'n', 'score', 'flag', 'kind', 'meta_json', 'at']);
  });

  test('NaN is stored as NULL and read back as NaN; the JSON view shows it as null', () => {
    const row = things.toRow({ ...rec, score: Number.NaN });
    assert.equal(row.score, null);
    assert.ok(Number.isNaN(things.fromRow(row).score));
    assert.equal(things.toJson({ ...rec, score: Number.NaN }).score, null);
  });

  test('the JSON view uses the JSON keys and leaves out the hidden fields', () => {
    assert.deepEqual(things.toJson(rec), {
      id: 't1',
      count: 3,
      score: 0.5,
      flag: true,
      kind: 'b',
      meta: { x: [1, 2] },
    });
  });

  test('cells() encodes only the fields given (partial updates)', () => {
    assert.deepEqual(things.cells({ flag: false, meta: {} }), { flag: 0, meta_json: '{}' });
  });

  test('PostgreSQL spellings decode the same: BIGINT as a string, BOOLEAN, JSONB already parsed', () => {
    const pgRow = { id: 't1', n: '3', score: 0.5, flag: true, kind: 'b', meta_json: { x: [1, 2] }, at: null };
    assert.deepEqual(things.fromRow(pgRow), rec);
  });

  test('extra columns (joins, tokens) are ignored', () => {
    assert.deepEqual(things.fromRow({ ...things.toRow(rec), owner: 'secret', rn: 1 }), rec);
  });

  const bad: [string, unknown, RegExp][] = [
    ['id', 42, /^things\.id: expected text, got 42 \(thing row\)$/],
    ['n', 1.5, /^things\.n: expected an integer, got 1\.5/],
    ['n', '12abc', /^things\.n: expected an integer, got "12abc"/],
    ['score', 'high', /^things\.score: expected a number or NULL, got "high"/],
    ['flag', 2, /^things\.flag: expected 0 or 1 or NULL, got 2/],
    ['kind', 'c', /^things\.kind: expected one of a, b, got "c"/],
    ['meta_json', '{not json', /^things\.meta_json: expected JSON text holding an object, got "\{not json"/],
    ['meta_json', '[1]', /^things\.meta_json: expected JSON text holding an object, got "\[1\]"/],
    ['at', 'yesterday', /^things\.at: expected an integer or NULL, got "yesterday"/],
  ];
  for (const [column, cell, message] of bad) {
    test(`a bad ${column} cell is DATA_INVALID naming the table and column`, () => {
      assert.throws(() => things.fromRow({ ...things.toRow(rec), [column]: cell }), dataInvalid(message));
    });
  }

  test('a missing column, or no row at all, is named too', () => {
    const { score: _score, ...row } = things.toRow(rec);
    assert.throws(() => things.fromRow(row), dataInvalid(/^things\.score: the column is missing from the thing row$/));
    assert.throws(() => things.fromRow(undefined), dataInvalid(/^things: expected a row for a thing, got nothing$/));
  });

  test('a bad cell carries the table and column as details', () => {
    try {
      things.fromRow({ ...things.toRow(rec), n: 'x' });
      assert.fail('expected an error');
    } catch (e) {
      assert.ok(isGnnopsError(e));
      assert.deepEqual(e.details, { table: 'things', column: 'n' });
    }
  });
});
