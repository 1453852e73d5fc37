import { ErrorCodes, GnnopsError } from '../util/errors.js';
import type { TrialFn } from './types.js';

/**
 * The default TrialFn of `gnnops sweep`: train with the gnnops trainer. The trainer is resolved when the first
 * trial runs, so the sweep engine builds and tests without it; if it is missing the trial fails with a clear
 * message instead of a crash (use `--trial-module` to sweep any other TrialFn).
 */
const TRAINER = '../train/index.js';

export const trial: TrialFn = async (config, ctx) => {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(TRAINER)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw new GnnopsError(
        ErrorCodes.NOT_FOUND,
        'the trainer (src/train) is not available in this build, so sweep trials cannot train; pass --trial-module <file> exporting a TrialFn',
        { fatal: true },
      );
    }
    throw e;
  }
  const fn = mod.sweepTrial;
  if (typeof fn !== 'function') {
    throw new GnnopsError(
      ErrorCodes.INTERNAL,
      `the trainer module exports no sweepTrial(config, ctx) (exports: ${Object.keys(mod).join(', ')})`,
      { fatal: true },
    );
  }
  return (fn as TrialFn)(config, ctx);
};

export default trial;
