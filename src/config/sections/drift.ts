import { z } from 'zod';

export const DriftMethods = ['auto', 'ks', 'wasserstein', 'psi', 'jensenshannon'] as const;

export const driftSection = z
  .strictObject({
    method: z
      .enum(DriftMethods)
      .default('auto')
      .describe(
        "Feature test: 'auto' = Evidently's defaults (KS p<0.05 for ≤1000 reference rows, normalised Wasserstein ≥0.1 above), or one test for every feature.",
      ),
    threshold: z
      .number()
      .positive()
      .optional()
      .describe('Override the chosen test threshold (a p-value for KS, a distance otherwise).'),
    share_threshold: z
      .number()
      .gt(0)
      .max(1)
      .default(0.5)
      .describe('The dataset drifts when at least this share of features drifts.'),
    psi_bins: z.number().int().min(2).max(1000).default(30).describe('Bins for PSI and numeric Jensen–Shannon.'),
    ks_method: z
      .enum(['auto', 'exact', 'asymp'])
      .default('auto')
      .describe("KS p-value: exact lattice count while n·m ≤ 1e5 ('auto'), or scipy's asymptotic ('asymp')."),
    quantiles: z
      .number()
      .int()
      .min(10)
      .max(100000)
      .default(1000)
      .describe('Reference profile resolution: quantile knots per feature (Q + 1 stored).'),
    window: z.number().int().min(10).max(1_000_000).default(5000).describe('Current window: the last N logged rows.'),
    interval_seconds: z
      .number()
      .min(0)
      .default(60)
      .describe('Server background drift check interval in seconds (0 = off).'),
    hist_bins: z.number().int().min(0).max(200).default(20).describe('Bins of the report histograms (0 = none).'),
  })
  .describe('Drift detection: tests, thresholds, profile resolution and the monitoring window.');
