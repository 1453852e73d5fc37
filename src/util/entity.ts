/**
 * One typed mapping per stored entity. An entity names its table and, for each field of its record, the column
 * that holds it, the codec that turns the stored cell into the field's value and back, and the key it has in the
 * JSON view (the column name unless renamed or left out). Stores decode rows with `fromRow`, build rows with
 * `toRow`, and the API turns records into JSON with `toJson`, so a column is spelled in one place.
 *
 * No SQL lives here: the mapping is between records and plain `{column: cell}` objects, which is what any driver
 * hands back (better-sqlite3 today, node-postgres for a shared store). Codecs accept both drivers' spellings of a
 * value (0/1 or true/false for a flag, a JSON string or a parsed object for JSON, a number or a decimal string for
 * a BIGINT), so one entity serves either backend.
 */
import { ErrorCodes, GnnopsError } from './errors.js';

/** A value a driver can bind to a statement parameter. */
export type Cell = string | number | bigint | null;

/** Thrown by a codec for a cell it cannot decode; the entity adds the table and column. */
class CellError extends Error {}

export interface Codec<V, J = V> {
  /** What a valid cell looks like, for error messages. */
  readonly expected: string;
  decode(cell: unknown): V;
  encode(value: V): Cell;
  /** The value in the JSON view (default: the value itself). */
  json?(value: V): J;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(expected: string): never {
  throw new CellError(expected);
}

const text: Codec<string> = {
  expected: 'text',
  decode: (c) => (typeof c === 'string' ? c : bad('text')),
  encode: (v) => v,
};

/** An integer column (times in Unix ms, counts, versions). PostgreSQL returns BIGINT as a decimal string. */
const int: Codec<number> = {
  expected: 'an integer',
  decode(c) {
    const n = typeof c === 'bigint' || (typeof c === 'string' && /^-?\d+$/.test(c)) ? Number(c) : c;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : bad('an integer');
  },
  encode: (v) => v,
};

/** A REAL column. JSON has no NaN or ±Infinity, so the JSON view shows them as null. */
const real: Codec<number, number | null> = {
  expected: 'a number',
  decode(c) {
    const n = typeof c === 'string' && c.trim() !== '' ? Number(c) : c;
    return typeof n === 'number' && !(typeof c === 'string' && Number.isNaN(n)) ? n : bad('a number');
  },
  encode: (v) => v,
  json: finiteOrNull,
};

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A metric value: SQL NULL is NaN (JSON and SQLite have no NaN); the JSON view shows null. */
const metricValue: Codec<number, number | null> = {
  expected: 'a number or NULL',
  decode: (c) => (c === null ? Number.NaN : real.decode(c)),
  encode: (v) => (Number.isNaN(v) ? null : v),
  json: finiteOrNull,
};

/** JSON text holding `{name: number}` (a version's or a trial's metrics); the JSON view shows NaN as null. */
const metricMap: Codec<Record<string, number>, Record<string, number | null>> = {
  ...json<Record<string, number>>(
    'an object of numbers',
    (v) => isObject(v) && Object.values(v as object).every((x) => x === null || typeof x === 'number'),
  ),
  json: (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, finiteOrNull(v)])),
};

/** A flag: INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL. */
const bool: Codec<boolean> = {
  expected: '0 or 1',
  decode: (c) => (c === 1 || c === true ? true : c === 0 || c === false ? false : bad('0 or 1')),
  encode: (v) => (v ? 1 : 0),
};

/** JSON text (or a JSONB value, which PostgreSQL hands over parsed). `check` says whether the parsed value fits. */
function json<T>(what: string, check: (v: unknown) => boolean = () => true): Codec<T> {
  const expected = `JSON text holding ${what}`;
  return {
    expected,
    decode(c) {
      let v: unknown = c;
      if (typeof c === 'string') {
        try {
          v = JSON.parse(c);
        } catch {
          bad(expected);
        }
      } else if (c === null || typeof c !== 'object') bad(expected);
      return check(v) ? (v as T) : bad(expected);
    },
    encode: (v) => JSON.stringify(v),
  };
}

/** One of a fixed set of strings. */
function oneOf<const T extends string>(values: readonly T[]): Codec<T> {
  const expected = `one of ${values.join(', ')}`;
  return {
    expected,
    decode: (c) => (typeof c === 'string' && (values as readonly string[]).includes(c) ? (c as T) : bad(expected)),
    encode: (v) => v,
  };
}

/** NULL ↔ null around another codec. */
function nullable<V, J>(inner: Codec<V, J>): Codec<V | null, J | null> {
  const expected = `${inner.expected} or NULL`;
  return {
    expected,
    decode(c) {
      if (c === null) return null;
      try {
        return inner.decode(c);
      } catch (e) {
        if (e instanceof CellError) bad(expected);
        throw e;
      }
    },
    encode: (v) => (v === null ? null : inner.encode(v)),
    json: (v) => (v === null ? null : inner.json ? inner.json(v) : (v as unknown as J)),
  };
}

/** The codecs entities are built from. */
export const codecs = Object.freeze({
  text,
  int,
  real,
  metricValue,
  metricMap,
  bool,
  json,
  /** JSON text holding an object (a config, a map of tags or metrics). */
  jsonObject: <T extends object>(what = 'an object') => json<T>(what, isObject),
  /** JSON text holding an array. */
  jsonArray: <T>(what = 'an array') => json<T[]>(what, Array.isArray),
  oneOf,
  nullable,
});

/** How one field of a record is stored. `json`: its key in the JSON view, or false to leave it out. */
export interface Column<V> {
  column: string;
  codec: Codec<V, unknown>;
  json?: string | false;
}

type ColumnsOf<R> = { [K in keyof R]-?: Column<R[K]> };

type JsonKey<S> = S extends { json: false }
  ? never
  : S extends { json: infer N extends string }
    ? N
    : S extends { column: infer N extends string }
      ? N
      : never;

type JsonValue<S, V> = S extends { codec: Codec<never, infer J> } ? J : V;

/** The JSON view of a record: the fields not left out, under their JSON keys. */
export type JsonOf<R, C extends ColumnsOf<R>> = {
  [K in keyof R as JsonKey<C[K]>]: JsonValue<C[K], R[K]>;
};

/** A row as the driver takes and gives it: column name → cell. */
export type Row = Record<string, Cell>;

export interface EntityDef<R, C extends ColumnsOf<R>> {
  /** What the entity is called in error messages. */
  name: string;
  table: string;
  columns: C;
}

export class Entity<R, C extends ColumnsOf<R>> {
  readonly name: string;
  readonly table: string;
  readonly fields: C;
  /** Column names in field order. */
  readonly columns: readonly string[];
  readonly #fields: readonly [keyof R & string, Column<unknown>][];

  constructor(def: EntityDef<R, C>) {
    this.name = def.name;
    this.table = def.table;
    this.fields = def.columns;
    this.#fields = Object.entries(def.columns) as [keyof R & string, Column<unknown>][];
    this.columns = this.#fields.map(([, c]) => c.column);
  }

  /** Decode a row (extra columns are ignored). A missing or malformed cell is DATA_INVALID naming table.column. */
  fromRow(row: unknown): R {
    if (row === null || typeof row !== 'object') {
      throw new GnnopsError(
        ErrorCodes.DATA_INVALID,
        `${this.table}: expected a row for a ${this.name}, got ${show(row)}`,
        {
          table: this.table,
        },
      );
    }
    const cells = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [field, spec] of this.#fields) {
      const where = `${this.table}.${spec.column}`;
      if (!(spec.column in cells)) {
        throw new GnnopsError(ErrorCodes.DATA_INVALID, `${where}: the column is missing from the ${this.name} row`, {
          table: this.table,
          column: spec.column,
        });
      }
      const cell = cells[spec.column];
      try {
        out[field] = spec.codec.decode(cell);
      } catch (e) {
        if (!(e instanceof CellError)) throw e;
        throw new GnnopsError(
          ErrorCodes.DATA_INVALID,
          `${where}: expected ${spec.codec.expected}, got ${show(cell)} (${this.name} row)`,
          { table: this.table, column: spec.column },
        );
      }
    }
    return out as R;
  }

  /** The row of a record: every column. */
  toRow(rec: R): Row {
    return this.cells(rec);
  }

  /** The cells of the fields given (for partial updates and inserts that leave defaults to the schema). */
  cells(rec: Partial<R>): Row {
    const out: Row = {};
    const values = rec as Record<string, unknown>;
    for (const [field, spec] of this.#fields) {
      if (field in values) out[spec.column] = spec.codec.encode(values[field]);
    }
    return out;
  }

  /** The JSON view of a record. */
  toJson(rec: R): JsonOf<R, C> {
    const out: Record<string, unknown> = {};
    const values = rec as Record<string, unknown>;
    for (const [field, spec] of this.#fields) {
      if (spec.json === false) continue;
      const v = values[field];
      out[spec.json ?? spec.column] = spec.codec.json ? spec.codec.json(v) : v;
    }
    return out as JsonOf<R, C>;
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `a ${v.length}-byte blob`;
  return v === undefined ? 'nothing' : String(JSON.stringify(v) ?? v);
}

/**
 * Define the entity whose record type is `R`: every field of `R` needs a column, and its codec must produce
 * the field's type, so the record type and its mapping cannot drift apart.
 *
 *   export const artifacts = defineEntity<StoredArtifact>()({
 *     name: 'artifact', table: 'artifacts',
 *     columns: { name: { column: 'name', codec: codecs.text }, createdAt: { column: 'created_at', codec: codecs.int } },
 *   });
 */
export function defineEntity<R>(): <const C extends ColumnsOf<R>>(def: EntityDef<R, C>) => Entity<R, C> {
  return (def) => new Entity(def);
}
