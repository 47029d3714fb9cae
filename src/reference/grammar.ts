// The Docker/OCI reference grammar as regular expressions, built from the same productions and in the
// same order as distribution/reference's regexp.go, so that capture groups split a reference exactly
// as the reference implementation does (JavaScript and Go both pick the leftmost-first submatch).
//
//   reference   := name [":" tag] ["@" digest]
//   name        := [domain "/"] path
//   domain      := host [":" port]
//   host        := domain-name | "[" IPv6 "]"          (no zone id, no IPv4-mapped form)
//   domain-name := component ("." component)*          component: [a-zA-Z0-9] with inner "-"
//   path        := path-component ("/" path-component)*
//   path-component := [a-z0-9]+ (separator [a-z0-9]+)*  separator: "." | "_" | "__" | "-"+
//   tag         := [\w][\w.-]{0,127}
//   digest      := algorithm ":" [0-9a-fA-F]{32,}
//
// Every pattern here uses disjoint character classes next to each other, so matching stays linear in
// practice even on hostile input (checked by a test with 100 kB inputs).

const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const identifierPattern = '[a-f0-9]{64}';
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

/** Groups: 1 name, 2 tag, 3 digest. */
export const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);

/** Groups: 1 domain (may be absent), 2 path. */
export const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);

export const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
export const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);
export const anchoredIdentifierRegexp = new RegExp(`^${identifierPattern}$`);
export const anchoredDomainRegexp = new RegExp(`^${domainAndPort}$`);
export const anchoredPathRegexp = new RegExp(`^${remoteName}$`);

/** The maximum length of a repository path (the domain does not count, as in reference v0.6.0+). */
export const REPOSITORY_PATH_MAX_LENGTH = 255;
