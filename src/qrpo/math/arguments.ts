// Argument checks shared by the math modules. Every message says what was wrong and what is valid, so the CLI
// and the extension can show it as is (ArgumentError, no stack trace).
import { ArgumentError } from '../errors';

/** Renders a rejected value the way a user would recognise it: numbers as JS prints them, anything else as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function requireFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(`${name} must be a finite number, got ${show(value)}`);
  }
}

export function requirePositiveFinite(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(`${name} must be a positive finite number, got ${show(value)}`);
  }
}

/** β appears in every loss and partition function; one message for all of them. */
export function requireBeta(beta: number): void {
  requirePositiveFinite('beta', beta);
}

export function requireFiniteArray(name: string, values: readonly number[]): void {
  if (!Array.isArray(values)) throw new ArgumentError(`${name} must be an array of finite numbers, got ${show(values)}`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ArgumentError(`${name}[${i}] must be a finite number, got ${show(value)}`);
    }
  }
}

export function requireNonEmpty(name: string, values: readonly unknown[], what: string): void {
  if (values.length === 0) throw new ArgumentError(`${name} is empty; ${what}`);
}

export function requireSameLength(nameA: string, a: readonly unknown[], nameB: string, b: readonly unknown[]): void {
  if (a.length !== b.length) {
    throw new ArgumentError(`${nameA} and ${nameB} must have the same length, got ${a.length} and ${b.length}`);
  }
}
