// URL joining for the places registries hand us URLs: upload Locations (relative or absolute, often
// with state in the query) and redirects.

/** Resolves a Location header against the URL of the request that returned it. */
export function resolveLocation(requestUrl: string | URL, location: string): URL {
  return new URL(location, requestUrl);
}

/**
 * Adds query parameters to a URL that may already carry some (distribution's `_state`), keeping the
 * existing ones: `…/uploads/uuid?_state=x` + digest → `…/uploads/uuid?_state=x&digest=sha256%3A…`.
 */
export function withQuery(url: string | URL, params: Readonly<Record<string, string>>): URL {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
  return u;
}
