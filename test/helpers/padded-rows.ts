// One row of a padded batch, as the torch reference stores it: its first L positions of an activation
// [B, T, width], or of a pattern [B, H, T, T] (positionAxis 2), flattened in that order.
export function unpaddedRow(got: { data: ArrayLike<number>; dims: readonly number[] }, positionAxis: number, b: number, L: number, T: number): number[] {
  const picked: number[] = [];
  if (positionAxis === 2) {
    const H = got.dims[1];
    for (let h = 0; h < H; h++) for (let q = 0; q < L; q++) for (let k = 0; k < L; k++) picked.push(got.data[((b * H + h) * T + q) * T + k]);
  } else {
    const width = got.dims[2];
    for (let t = 0; t < L; t++) for (let i = 0; i < width; i++) picked.push(got.data[(b * T + t) * width + i]);
  }
  return picked;
}
