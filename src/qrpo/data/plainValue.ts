// Columnar readers hand back values JSON cannot hold or that compare badly: BigInt (INT64 columns), Arrow vectors and
// struct rows, typed arrays. This turns them into plain numbers, arrays and objects so every format normalises alike.

/** Plain JS for a decoded column value; BigInt becomes a number (exact below 2^53, which covers ids and counts). */
export function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'object':
      break;
    default:
      return value;
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, plainValue);
  // Arrow vectors (lists) turn into arrays through toJSON, struct and map rows into objects; their entries may be
  // vectors and rows again, hence the recursion.
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return plainValue(toJSON.call(value));
  const object = value as Record<string, unknown>;
  const plain: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(object)) plain[key] = plainValue(entry);
  return plain;
}
