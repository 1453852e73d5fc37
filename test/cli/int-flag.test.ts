import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intFlag } from '../../src/cli/output.js';
import { GnnopsError } from '../../src/util/errors.js';

describe('intFlag', () => {
  it('leaves an absent flag undefined and parses integers within the range', () => {
    assert.equal(intFlag('seed', undefined, 0), undefined);
    assert.equal(intFlag('seed', '0', 0), 0);
    assert.equal(intFlag('port', '65535', 0, 65535), 65535);
    assert.equal(intFlag('hops', '-1', -1, 5), -1);
  });

  it('rejects non-integers, blanks and out-of-range values naming the flag, value and range', () => {
    const fails = (v: string, min: number, max: number | undefined, says: RegExp) =>
      assert.throws(
        () => intFlag('n', v, min, max),
        (e: unknown) =>
          e instanceof GnnopsError &&
          e.code === 'E_INVALID_ARGUMENT' &&
          e.details?.field === 'n' &&
          says.test(e.message),
        v,
      );
    fails('1.5', 0, undefined, /^--n: "1\.5" is not an integer ≥ 0$/);
    fails('', 0, undefined, /^--n: "" is not an integer ≥ 0$/);
    fails(' ', 0, undefined, /is not an integer/);
    fails('abc', 1, 10, /^--n: "abc" is not an integer in 1\.\.10$/);
    fails('11', 1, 10, /in 1\.\.10/);
    fails('0', 1, 10, /in 1\.\.10/);
  });
});
