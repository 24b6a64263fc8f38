// The colors of word and sentence categories (space, furniture, fruit, …): a palette of their own.
// Blue and orange are A and B, green and purple within and between, and the same panels show
// categories beside them, so categories take the hues left: red, gold, teal, pink, brown and olive,
// each tuned per theme to stay apart from one another and from those four (ΔE ≥ 20, checked in
// test/webview/category-colors.test.ts). No DOM here, so the check runs under plain Node.
import { isDarkTheme, type ThemeBackground } from './cluster-marks';

/** Darker hues for a light background. */
const LIGHT = ['#c62828', '#8a7a00', '#00838f', '#c2185b', '#8d5a2b', '#4f6b2a'];
/** The same hues, lighter for a dark background. */
const DARK = ['#ff6b6b', '#e8c547', '#3cc8c8', '#ff8fd0', '#c49a6c', '#a9b84a'];

export function categoryPalette(colors: ThemeBackground): readonly string[] {
  return isDarkTheme(colors) ? DARK : LIGHT;
}
