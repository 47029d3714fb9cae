/**
 * The labels and annotations lifeboat reads and writes, one constant each: they are part of the
 * interface operators script against (`kubectl get secret -l app.kubernetes.io/managed-by=lifeboat`).
 */

/** On everything lifeboat creates. Ownership is decided by this label alone. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'lifeboat';

/** `true` on a namespace: lifeboat leaves it and everything in it alone. */
export const IGNORE_LABEL = 'lifeboat.dev/ignore';
/** `true` on a workload (an annotation there, as it carries no selector meaning): lifeboat leaves it alone. */
export const IGNORE_ANNOTATION = IGNORE_LABEL;

/** On a pull-secret copy: `NAMESPACE/NAME` of the Secret it was copied from. */
export const COPIED_FROM_ANNOTATION = 'lifeboat.dev/copied-from';

/**
 * On a service account: the pull secrets lifeboat appended to its `imagePullSecrets`
 * (comma-separated; one per configuration, usually one). Removal
 * (exclusion, uninstall) takes out only an entry this annotation vouches for, so an entry the
 * owner added by hand — even one with the same name — survives.
 */
export const ADDED_PULL_SECRET_ANNOTATION = 'lifeboat.dev/added-pull-secret';

/**
 * On a rewritten workload's own metadata: JSON object, container name (init containers included) →
 * the image it ran before lifeboat rewrote it. What `lifeboat restore` puts back, and how a revert by
 * another writer (GitOps re-applying its manifest) is recognised.
 */
export const ORIGINAL_IMAGES_ANNOTATION = 'lifeboat.dev/original-images';

/** What `kubectl rollout history` prints for the revision lifeboat's rewrite made. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
