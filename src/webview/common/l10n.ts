// UI strings: the host localizes them (vscode.l10n) and sends the table; the English key is the fallback.
export type Translate = (key: string, ...args: (string | number)[]) => string;

export function translator(strings: Readonly<Record<string, string>>): Translate {
  return (key, ...args) => (strings[key] ?? key).replace(/\{(\d+)\}/g, (m, i: string) => (args[Number(i)] === undefined ? m : String(args[Number(i)])));
}
