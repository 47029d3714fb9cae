/**
 * Texts written where the API server limits their length (a condition's message, an Event's note)
 * are cut to fit before they are sent: a write refused with 422 would record nothing at all.
 */

/** The longest `text` may be, counted as JavaScript counts (UTF-16 units, never fewer than code points). */
export function capText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const marker = ` … (${text.length - maxLength} more characters cut)`;
  const fits = marker.length < maxLength;
  let end = fits ? maxLength - marker.length : maxLength;
  // Never half of a surrogate pair: the API server would count the lone half as a character of its own.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + (fits ? marker : '');
}
