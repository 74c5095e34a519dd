// Contour lines of a grid by marching squares: for one level, the line segments crossing each grid cell, with the
// crossing point on each edge interpolated linearly. Pure (no DOM), so it is tested without a browser.

/** Segments as [x0, y0, x1, y1, ...] in grid coordinates (x = column index, y = row index, fractional). */
export function contourSegments(grid: ArrayLike<number>, nx: number, ny: number, level: number): number[] {
  const out: number[] = [];
  const v = (i: number, j: number) => grid[j * nx + i];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      // Corners counter-clockwise from (i, j): a = (i, j), b = (i+1, j), c = (i+1, j+1), d = (i, j+1).
      const a = v(i, j);
      const b = v(i + 1, j);
      const c = v(i + 1, j + 1);
      const d = v(i, j + 1);
      const code = (a > level ? 1 : 0) | (b > level ? 2 : 0) | (c > level ? 4 : 0) | (d > level ? 8 : 0);
      if (code === 0 || code === 15) continue;
      const t = (p: number, q: number) => (level - p) / (q - p);
      // Crossing points on the bottom (a-b), right (b-c), top (d-c) and left (a-d) edges.
      const bottom = () => [i + t(a, b), j];
      const right = () => [i + 1, j + t(b, c)];
      const top = () => [i + t(d, c), j + 1];
      const left = () => [i, j + t(a, d)];
      const seg = (p: number[], q: number[]) => out.push(p[0], p[1], q[0], q[1]);
      switch (code) {
        case 1: case 14: seg(left(), bottom()); break;
        case 2: case 13: seg(bottom(), right()); break;
        case 3: case 12: seg(left(), right()); break;
        case 4: case 11: seg(right(), top()); break;
        case 6: case 9: seg(bottom(), top()); break;
        case 7: case 8: seg(left(), top()); break;
        case 5: case 10: {
          // Saddle: the centre's value decides which corners connect.
          const centreHigh = (a + b + c + d) / 4 > level;
          if ((code === 5) === centreHigh) {
            seg(left(), top());
            seg(bottom(), right());
          } else {
            seg(left(), bottom());
            seg(right(), top());
          }
          break;
        }
      }
    }
  }
  return out;
}
