/**
 * `Static<S>`: the TypeScript type of the values a JSON Schema literal (declared `as const`) accepts, so that each
 * route contract is written once, as the JSON Schema Fastify validates, serialises and documents with, and the
 * handler types are derived from it. Covers the subset the routes use: type (incl. arrays of types), properties +
 * required, items, additionalProperties, enum, const, anyOf/oneOf. Unknown shapes fall back to `unknown`.
 */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Required_<S> = S extends { readonly required: readonly (infer R extends string)[] } ? R : never;

type ObjectOf<S> = S extends { readonly properties: infer P }
  ? Simplify<
      { -readonly [K in keyof P as K extends Required_<S> ? K : never]: Static<P[K]> } & {
        -readonly [K in keyof P as K extends Required_<S> ? never : K]?: Static<P[K]>;
      } & AdditionalOf<S>
    >
  : AdditionalOf<S> extends never
    ? Record<string, unknown>
    : AdditionalOf<S>;

type AdditionalOf<S> = S extends { readonly additionalProperties: infer A }
  ? A extends false
    ? unknown
    : A extends true
      ? Record<string, unknown>
      : Record<string, Static<A>>
  : unknown;

type ByType<S, T> = T extends 'object'
  ? ObjectOf<S>
  : T extends 'array'
    ? S extends { readonly items: infer I }
      ? Static<I>[]
      : unknown[]
    : T extends 'string'
      ? string
      : T extends 'number' | 'integer'
        ? number
        : T extends 'boolean'
          ? boolean
          : T extends 'null'
            ? null
            : unknown;

export type Static<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly anyOf: readonly (infer U)[] }
      ? Static<U>
      : S extends { readonly oneOf: readonly (infer U)[] }
        ? Static<U>
        : S extends { readonly type: readonly (infer T)[] }
          ? ByType<S, T>
          : S extends { readonly type: infer T }
            ? ByType<S, T>
            : unknown;
