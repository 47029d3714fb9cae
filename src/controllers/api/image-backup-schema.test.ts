import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageBackupSchema } from './image-backup-schema.ts';
import { caseObject, IMAGE_BACKUP_CASES } from './image-backup-schema-cases.test-support.ts';

describe('the ImageBackup zod definition', () => {
  for (const c of IMAGE_BACKUP_CASES) {
    it(`${c.valid ? 'accepts' : 'refuses'}: ${c.name}`, () => {
      const object = caseObject(c, 'case');
      const result = imageBackupSchema.safeParse(object);
      assert.equal(result.success, c.valid, result.error?.message ?? 'accepted');
      // What zod accepts it keeps whole: nothing of a valid object is stripped on the way in.
      if (result.success) assert.deepEqual(result.data, JSON.parse(JSON.stringify(object)));
    });
  }

  it('has valid and invalid cases for both spec and status', () => {
    const kinds = new Set(IMAGE_BACKUP_CASES.map((c) => `${c.valid}/${c.status === undefined}`));
    assert.deepEqual([...kinds].sort(), ['false/false', 'false/true', 'true/false', 'true/true']);
  });
});
