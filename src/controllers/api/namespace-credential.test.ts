import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDockerConfigJson } from '../../registry/index.ts';
import {
  namespaceOfUser,
  namespacePassword,
  namespacePullSecretContent,
  namespaceUser,
  pullKeyOf,
  verifyNamespacePassword,
} from './namespace-credential.ts';

const KEY_1 = new Uint8Array(32).fill(1);
const KEY_2 = new Uint8Array(32).fill(2);

describe('namespace credential', () => {
  // Vectors computed independently (Python's hmac + base64.urlsafe_b64encode, padding stripped).
  const vectors: [Uint8Array, string, string][] = [
    [KEY_1, 'team-a', 'A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXAw'],
    [KEY_1, 'team-b', 't4UX8tjr-dUbJtBzX93tA6V0llkzgNrXRIxNv3xzvxs'],
    [KEY_2, 'team-a', 'k5r3IeDrRMAbkOZnGBBQBcpQZ5_VgzpP8V6yrGP7MWY'],
  ];
  for (const [key, ns, password] of vectors) {
    it(`derives base64url(HMAC-SHA256(key, ${ns})) under key ${key[0]}`, () => {
      assert.equal(namespacePassword(key, ns), password);
      assert.equal(verifyNamespacePassword(key, ns, password), true);
    });
  }

  const refusals: [string, string, string][] = [
    ['another namespace’s password', 'team-b', 'A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXAw'],
    ['the password under a rotated key', 'team-a', 'k5r3IeDrRMAbkOZnGBBQBcpQZ5_VgzpP8V6yrGP7MWY'],
    ['an empty password', 'team-a', ''],
    ['a prefix of the password', 'team-a', 'A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXA'],
    ['the password with a character added', 'team-a', 'A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXAwx'],
  ];
  for (const [what, ns, password] of refusals) {
    it(`refuses ${what}`, () => assert.equal(verifyNamespacePassword(KEY_1, ns, password), false));
  }

  const users: [string, string | undefined][] = [
    ['lifeboat-ns-team-a', 'team-a'],
    ['lifeboat-ns-a', 'a'],
    ['lifeboat-ns-', undefined],
    ['lifeboat-ns-Team', undefined],
    ['lifeboat-ns-team-', undefined],
    ['lifeboat-ns-a/b', undefined],
    [`lifeboat-ns-${'a'.repeat(64)}`, undefined],
    ['lifeboat', undefined],
    ['team-a', undefined],
  ];
  for (const [user, ns] of users) {
    it(`reads user ${JSON.stringify(user.slice(0, 30))} as namespace ${String(ns)}`, () => {
      assert.equal(namespaceOfUser(user), ns);
      if (ns !== undefined) assert.equal(namespaceUser(ns), user);
    });
  }

  it('reads the key from the Secret, refusing a missing, empty or short one', () => {
    const secret = (data?: Record<string, string>) => ({
      metadata: { name: 'lifeboat-pull-key' },
      ...(data ? { data } : {}),
    });
    assert.deepEqual(pullKeyOf(secret({ key: Buffer.from(KEY_1).toString('base64') })), Buffer.from(KEY_1));
    for (const s of [
      undefined,
      secret(),
      secret({ key: '' }),
      secret({ key: Buffer.alloc(8).toString('base64') }),
    ]) {
      const got = pullKeyOf(s);
      assert.ok(!Buffer.isBuffer(got) && typeof got.problem === 'string');
    }
  });

  it("writes a docker config holding the namespace's own credential for the backup registry only", () => {
    const content = namespacePullSecretContent(KEY_1, 'team-a', 'backup.example:5000');
    assert.equal(content.type, 'kubernetes.io/dockerconfigjson');
    const config = parseDockerConfigJson('test', Buffer.from(content.data['.dockerconfigjson']!, 'base64'));
    assert.deepEqual(JSON.parse(Buffer.from(content.data['.dockerconfigjson']!, 'base64').toString()), {
      auths: {
        'backup.example:5000': {
          username: 'lifeboat-ns-team-a',
          password: 'A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXAw',
          auth: Buffer.from('lifeboat-ns-team-a:A6SPxA9n1rFjoYvcAhujxjhifenVPsGrFzFLd4oyXAw').toString(
            'base64',
          ),
        },
      },
    });
    assert.ok(config);
  });
});
