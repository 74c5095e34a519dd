// Theme colours for canvas and chart.js, read from VS Code's --vscode-* CSS variables (light, dark, high contrast).
export function cssVar(name: `--vscode-${string}`, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Calls back when VS Code switches theme (it changes the body's class list and the variables). */
export function onThemeChange(callback: () => void): void {
  new MutationObserver(callback).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** [r, g, b] of a CSS colour as the browser resolves it (#rgb, #rrggbb, #rrggbbaa, rgb(), rgba()). */
export function rgbOf(color: string): [number, number, number] {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return [128, 128, 128];
  ctx.fillStyle = '#808080';
  ctx.fillStyle = color;
  const c = ctx.fillStyle; // normalized to #rrggbb or rgba(...)
  if (c.startsWith('#')) return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(c);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}
