// What the registry says about one backup image a workload runs (check-backups.ts finds it; the
// verdict reads it). Plain data: the checker is the only part of `lifeboat verify` that does I/O.

/** A piece of a backup that the backup registry does not serve as the manifest that names it says. */
export interface MissingPiece {
  /** `manifest`: the top manifest the workload names; `child manifest`: an index's entry. */
  readonly kind: 'manifest' | 'child manifest' | 'config' | 'layer';
  /** The digest (or, for a top manifest named by tag, the reference) that is missing. */
  readonly digest: string;
  /** Absent: not there at all (404); else what is wrong with what is there. */
  readonly problem?: string;
}

/** A manifest whose anchor tag (`lifeboat-sha256-<hex>`) does not name it. */
export interface UnanchoredManifest {
  readonly digest: string;
  /** Undefined for a digest that has no anchor tag (not sha256). */
  readonly tag: string | undefined;
  /** The digest the anchor tag names instead; undefined when the tag is not there. */
  readonly names?: string;
}

export type BackupFindings =
  | {
      readonly state: 'checked';
      /** The top manifest's digest; undefined when it is missing. */
      readonly digest: string | undefined;
      readonly missing: readonly MissingPiece[];
      readonly unanchored: readonly UnanchoredManifest[];
      /** Manifests read (the top one and its children). */
      readonly manifests: number;
      /** Blobs found present with their size (0 under `--shallow`). */
      readonly blobs: number;
      /** `--shallow`: blobs were not looked at. */
      readonly shallow: boolean;
    }
  | {
      /** The registry did not answer usefully (unreachable, denied, a manifest it cannot parse). */
      readonly state: 'unreadable';
      /** The error's message: names registry, repository and digest, never a credential. */
      readonly error: string;
    };
