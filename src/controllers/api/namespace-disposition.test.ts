import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLabelSelector, type LabelSelector } from '../../kube/index.ts';
import type { NamespaceObject } from './core-objects.ts';
import { namespaceDisposition, namespaceExclusion } from './namespace-disposition.ts';

describe('namespaceDisposition with --namespace-selector', () => {
  const excluded = new Set(['kube-system', 'lifeboat-system']);
  const enabled = parseLabelSelector('lifeboat.dev/enabled=true');
  const ns = (name: string, labels?: Record<string, string>, terminating = false): NamespaceObject => ({
    metadata: {
      name,
      ...(labels ? { labels } : {}),
      ...(terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
    },
  });
  const cases: [string, NamespaceObject, LabelSelector | undefined, string, string | undefined][] = [
    ['no selector: an unlabelled namespace', ns('app'), undefined, 'active', undefined],
    ['outside the selector', ns('app'), enabled, 'excluded', 'outside-selector'],
    [
      'labelled with another value',
      ns('app', { 'lifeboat.dev/enabled': 'false' }),
      enabled,
      'excluded',
      'outside-selector',
    ],
    ['inside the selector', ns('app', { 'lifeboat.dev/enabled': 'true' }), enabled, 'active', undefined],
    [
      'inside, but listed',
      ns('kube-system', { 'lifeboat.dev/enabled': 'true' }),
      enabled,
      'excluded',
      'listed',
    ],
    [
      'inside, but labelled ignore',
      ns('app', { 'lifeboat.dev/enabled': 'true', 'lifeboat.dev/ignore': 'true' }),
      enabled,
      'excluded',
      'ignore-label',
    ],
    ['outside and being deleted', ns('app', undefined, true), enabled, 'terminating', 'outside-selector'],
    [
      'a set-based selector',
      ns('app', { env: 'prod' }),
      parseLabelSelector('env in (prod,staging)'),
      'active',
      undefined,
    ],
    [
      'a negative one',
      ns('app', { env: 'dev' }),
      parseLabelSelector('env notin (dev)'),
      'excluded',
      'outside-selector',
    ],
  ];
  for (const [what, namespace, selector, disposition, exclusion] of cases) {
    it(`${what}: ${disposition}${exclusion ? ` (${exclusion})` : ''}`, () => {
      assert.equal(namespaceDisposition(namespace, excluded, selector), disposition);
      assert.equal(namespaceExclusion(namespace, excluded, selector), exclusion);
    });
  }
});
