import { errorSchema } from '../../schemas/common.js';

/** Error responses of every dashboard read route. */
export const readErrors = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  422: errorSchema,
  503: errorSchema,
} as const;

/** A number that may be missing (NaN metrics are sent as null: JSON has no NaN). */
export const nullableNumber = { type: ['number', 'null'] } as const;

/** `{[key]: number | null}` */
export const numberMap = { type: 'object', additionalProperties: nullableNumber } as const;

export const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** NaN/±Infinity → null, for JSON. */
export function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}
