/** The configuration reference (docs/configuration.md), generated from the flag definitions. */
import { envNameOf, type FlagSpec } from './flag.ts';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** A markdown table of one command's flags: flag, variable, default, meaning. */
export function flagsTable(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const flag =
      s.arg === undefined ? `\`${s.flag}\` / \`--no-${s.flag.slice(2)}\`` : `\`${s.flag} ${s.arg}\``;
    const def =
      s.defaultNote ??
      (s.default === undefined ? (s.required ? '(required)' : '') : `\`${String(s.default)}\``);
    return `| ${cell(flag)} | \`${envNameOf(s.flag)}\` | ${cell(def)} | ${cell(s.help)} |`;
  });
  return ['| flag | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
