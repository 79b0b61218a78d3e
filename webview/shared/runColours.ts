// A run's colour, from a hash of its id (the run folder's URI string): the same run has the same colour in every
// panel and every session, however many runs are shown (no palette to run out of). Hues spread over the whole
// circle at a fixed OKLCH lightness and chroma, so no run is much brighter than another, and that lightness
// (0.64 or 0.74, also from the hash, to separate neighbouring hues) reads on dark and light editor backgrounds.

export function runColour(runId: string): string {
  const hash = fnv1a(runId);
  const hue = ((hash % 3600) / 10) * (Math.PI / 180);
  const lightness = (hash >>> 20) & 1 ? 0.74 : 0.64;
  return oklchToHex(lightness, 0.14, hue);
}

/** The same colour with an alpha, for the raw series drawn faint behind the smoothed one. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.min(1, Math.max(0, alpha)) * 255).toString(16).padStart(2, '0');
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}${a}` : hex;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// OKLab → linear sRGB → sRGB (Björn Ottosson's reference matrices), out-of-gamut channels clamped.
function oklchToHex(l: number, c: number, h: number): string {
  const a = c * Math.cos(h);
  const b = c * Math.sin(h);
  const l3 = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m3 = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s3 = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const linear = [
    4.0767416621 * l3 - 3.3077115913 * m3 + 0.2309699292 * s3,
    -1.2684380046 * l3 + 2.6097574011 * m3 - 0.3413193965 * s3,
    -0.0041960863 * l3 - 0.7034186147 * m3 + 1.707614701 * s3,
  ];
  return `#${linear.map((v) => Math.round(255 * gamma(Math.min(1, Math.max(0, v)))).toString(16).padStart(2, '0')).join('')}`;
}

function gamma(v: number): number {
  return v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055;
}
