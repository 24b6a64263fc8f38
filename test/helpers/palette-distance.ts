// The check every categorical palette passes (cluster colors, category colors): its colors are far
// apart in CIELAB (ΔE, CIE76), stand out from the background in lightness, and keep away from the
// colors that already mean something else in the same panels.
import assert from 'node:assert/strict';
import * as d3 from 'd3';

function deltaE(a: string, b: string): number {
  const x = d3.lab(a), y = d3.lab(b);
  return Math.hypot(x.l - y.l, x.a - y.a, x.b - y.b);
}

export function assertPaletteApart(palette: readonly string[], background: string,
  o: { minDeltaE: number; minLightnessGap: number; apartFrom?: Record<string, string> }): void {
  const bg = d3.lab(background);
  palette.forEach((color, a) => {
    const gap = Math.abs(d3.lab(color).l - bg.l);
    assert.ok(gap >= o.minLightnessGap, `${color} on ${background}: ΔL ${gap.toFixed(1)}`);
    for (let b = a + 1; b < palette.length; b++) {
      const distance = deltaE(color, palette[b]);
      assert.ok(distance >= o.minDeltaE, `${color} vs ${palette[b]} on ${background}: ΔE ${distance.toFixed(1)}`);
    }
    for (const [meaning, other] of Object.entries(o.apartFrom ?? {})) {
      const distance = deltaE(color, other);
      assert.ok(distance >= o.minDeltaE, `${color} vs ${meaning} ${other} on ${background}: ΔE ${distance.toFixed(1)}`);
    }
  });
}
