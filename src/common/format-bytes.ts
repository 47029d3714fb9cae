// Byte counts for people (`lifeboat copy`'s summary and progress, `lifeboat status`'s SIZE): binary
// units, one decimal past bytes, so a column of sizes compares at a glance.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `512 B`, `1.5 KiB`, `12.3 MiB`; TiB is the largest unit. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${UNITS[unit]}`;
}
