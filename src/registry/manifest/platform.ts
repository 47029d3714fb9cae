// Platforms as users write them (`linux/arm64/v8`) and as indexes describe them. Matching follows
// crane: a requested platform without a variant matches every variant of its os/arch.
import type { Platform } from '../model/types.ts';
import { InvalidPlatformError } from './errors.ts';

const COMPONENT = /^[a-z0-9][a-z0-9._-]*$/;

/** `os/arch[/variant]` → Platform. Throws `InvalidPlatformError` on anything else. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().split('/');
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => COMPONENT.test(p))) {
    throw new InvalidPlatformError(text);
  }
  const [os = '', architecture = '', variant] = parts;
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

export function formatPlatform(platform: Platform): string {
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

/** arm64 images usually omit their (only) variant v8; amd64's v1 likewise. */
function normalVariant(platform: Platform): string {
  const variant = platform.variant ?? '';
  if (platform.architecture === 'arm64' && variant === 'v8') return '';
  if (platform.architecture === 'amd64' && variant === 'v1') return '';
  return variant;
}

/** True when `candidate` (from an index) satisfies `wanted` (from the user). */
export function platformMatches(candidate: Platform | undefined, wanted: Platform): boolean {
  if (candidate === undefined) return false;
  if (candidate.os !== wanted.os || candidate.architecture !== wanted.architecture) return false;
  return wanted.variant === undefined || normalVariant(candidate) === normalVariant(wanted);
}
