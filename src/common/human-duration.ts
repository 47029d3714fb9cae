// kubectl's AGE column: apimachinery's `duration.HumanDuration`, rule for rule, so `lifeboat status`
// reads like `kubectl get`. Precision falls as the duration grows (2m5s, 15m, 5h3m, 3d4h, 400d, 3y2d).

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** `ms` of elapsed time as kubectl prints an age; `<invalid>` for a time more than 1 s ahead. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 2 * MINUTE) return `${seconds}s`;
  const minutes = Math.floor(seconds / MINUTE);
  if (minutes < 10) return withRest(minutes, 'm', seconds % MINUTE, 's');
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.floor(seconds / HOUR);
  if (hours < 8) return withRest(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(seconds / DAY);
  if (hours < 8 * 24) return withRest(days, 'd', hours % 24, 'h');
  if (seconds < 2 * YEAR) return `${days}d`;
  const years = Math.floor(seconds / YEAR);
  if (seconds < 8 * YEAR) return withRest(years, 'y', days % 365, 'd');
  return `${years}y`;
}

/** `3m` when the smaller unit is 0, else `3m5s`. */
function withRest(big: number, bigUnit: string, rest: number, restUnit: string): string {
  return rest === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${rest}${restUnit}`;
}
