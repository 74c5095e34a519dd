// Flag parsing for the CLI: every bad value is a UsageError that names the flag, what it expects and what it got.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(args: string[], strings: readonly string[], booleans: readonly string[] = []): { flags: Flags; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const s of strings) options[s] = { type: 'string' };
  for (const b of booleans) options[b] = { type: 'boolean' };
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { flags: values as Flags, positionals };
  } catch (e) {
    // node's messages are clear ("Unknown option '--x'"); drop its "To specify a positional..." hint.
    throw new UsageError(String((e as Error).message).split('. To specify')[0]);
  }
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function required(flags: Flags, name: string): string {
  return str(flags, name) ?? usage(`--${name} is required`);
}

export function num(flags: Flags, name: string): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) usage(`--${name} expects a number, got '${v}'`);
  return x;
}

export function int(flags: Flags, name: string): number | undefined {
  const x = num(flags, name);
  if (x !== undefined && !Number.isInteger(x)) usage(`--${name} expects an integer, got '${str(flags, name)}'`);
  return x;
}

export function bool01(flags: Flags, name: string): boolean | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return usage(`--${name} expects 0 or 1, got '${v}'`);
}

export function oneOf<T extends string>(flags: Flags, name: string, allowed: readonly T[], fallback?: T): T {
  const v = str(flags, name) ?? fallback;
  if (v === undefined) usage(`--${name} is required (one of ${allowed.join(', ')})`);
  const hit = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
  return hit ?? usage(`--${name} expects one of ${allowed.join(', ')}, got '${v}'`);
}

export function intList(flags: Flags, name: string): number[] | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim());
  const xs = parts.map(Number);
  if (parts.some((p) => p === '') || xs.some((x) => !Number.isInteger(x) || x < 1)) usage(`--${name} expects positive integers separated by commas, got '${v}'`);
  return xs;
}

export function usage(message: string): never {
  throw new UsageError(message);
}
