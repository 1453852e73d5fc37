/**
 * The charts of a classification report: the reliability diagram (accuracy against confidence per bin, before and
 * after temperature scaling, with the diagonal of perfect calibration) and the row-normalised confusion matrix as
 * grouped bars (one group per true class, one bar per predicted class).
 */
import { barChart, lineChart } from '../charts/svg.js';
import type { ClassificationReport, ReliabilityBin } from './classification.js';

function nonEmpty(bins: readonly ReliabilityBin[]): { x: number[]; y: number[] } {
  const kept = bins.filter((b) => b.count > 0);
  return { x: kept.map((b) => b.confidence), y: kept.map((b) => b.accuracy) };
}

export function reliabilityDiagramSvg(r: ClassificationReport, title = 'Reliability diagram (test)'): string {
  const raw = nonEmpty(r.reliability);
  const cal = nonEmpty(r.reliability_calibrated);
  return lineChart({
    title,
    xLabel: 'confidence (mean top-class probability per bin)',
    yLabel: 'accuracy',
    markers: true,
    series: [
      { name: 'perfect calibration', x: [0, 1], y: [0, 1], color: '#bab0ac' },
      { name: `raw (ECE ${r.ece.toFixed(3)})`, ...raw },
      { name: `T=${r.temperature.toFixed(2)} (ECE ${r.ece_calibrated.toFixed(3)})`, ...cal },
    ],
  });
}

export function confusionChartSvg(
  r: ClassificationReport,
  title = 'Confusion matrix (test, share of true class)',
): string {
  const label = (k: number) => r.per_class[k]?.name ?? String(k);
  const categories = r.confusion.map((_, t) => label(t));
  return barChart({
    title,
    xLabel: 'true class',
    yLabel: 'share predicted as',
    categories,
    series: r.confusion.map((_, p) => ({
      name: `→ ${label(p)}`,
      values: r.confusion.map((row) => {
        const n = row.reduce((a, b) => a + b, 0);
        return n > 0 ? row[p] / n : 0;
      }),
    })),
  });
}
