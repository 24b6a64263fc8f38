// Category colors (space, furniture, fruit, …) have a palette of their own: far apart from one
// another and from the colors that mean A/B (the theme's blue and orange) and within/between (its
// green and purple) in the same panels, in the dark and the light theme; and the charts that color
// by category use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryPalette } from '../../src/webview/charts/category-colors';
import { themeVariables, type Theme } from '../helpers/chromium';
import { assertPaletteApart } from '../helpers/palette-distance';

const backgrounds = (theme: Theme) => themeVariables[theme]['--vscode-editor-background'];

test('the category colors are apart from each other and from A/B and within/between (CIELAB ΔE ≥ 20), in the dark and the light theme', () => {
  for (const theme of ['dark', 'light'] as const) {
    const v = themeVariables[theme];
    const palette = categoryPalette({ background: backgrounds(theme) });
    assert.ok(palette.length >= 6);
    assertPaletteApart(palette, backgrounds(theme), {
      minDeltaE: 20, minLightnessGap: 25,
      apartFrom: { 'A (blue)': v['--vscode-charts-blue'], 'B (orange)': v['--vscode-charts-orange'], 'within (green)': v['--vscode-charts-green'], 'between (purple)': v['--vscode-charts-purple'] },
    });
  }
  assert.notDeepEqual(categoryPalette({ background: '#1f1f1f' }), categoryPalette({ background: '#ffffff' }), 'tuned per theme');
});
