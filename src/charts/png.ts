/**
 * SVG → PNG through @resvg/resvg-js (Rust resvg, shipped as prebuilt per-platform npm packages, so it installs
 * without downloads). It is loaded lazily: on a platform without a prebuilt binary, `svgToPng` reports that PNG is
 * unavailable and callers keep the SVG.
 */
import { createRequire } from 'node:module';

interface ResvgModule {
  Resvg: new (
    svg: string,
    opts: { font: { loadSystemFonts: boolean; defaultFontFamily: string }; fitTo?: { mode: 'zoom'; value: number } },
  ) => { render(): { asPng(): Uint8Array } };
}

let cached: ResvgModule | null | undefined;

function loadResvg(): ResvgModule | null {
  if (cached !== undefined) return cached;
  try {
    cached = createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule;
  } catch {
    cached = null;
  }
  return cached;
}

/** True when the PNG renderer loaded on this platform. */
export function pngAvailable(): boolean {
  return loadResvg() !== null;
}

/** Render an SVG document to PNG bytes at `scale` × its size (default 2 for crisp text); null if no renderer. */
export function svgToPng(svg: string, scale = 2): Uint8Array | null {
  const mod = loadResvg();
  if (!mod) return null;
  const r = new mod.Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: scale },
  });
  return r.render().asPng();
}
