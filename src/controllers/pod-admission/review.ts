// AdmissionReview v1 (admission.k8s.io/v1) in and out: the only wire format the webhook speaks.
// The request is read defensively (it is JSON from the network); the response always allows.
import { LifeboatError } from '../../common/errors.ts';
import type { JsonPatchOp } from '../api/workload-types.ts';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

/** What the webhook reads of `request`. */
export interface AdmissionRequest {
  readonly uid: string;
  /** The Pod's namespace (a Pod being created may not carry its own in metadata). */
  readonly namespace: string;
  readonly operation: string;
  /** The Pod as the API server would store it; decoded separately (a bad Pod is not a bad review). */
  readonly object: unknown;
}

/** The body is not an AdmissionReview v1 with a request: answered 400 with `message`. */
export class MalformedReviewError extends LifeboatError {
  readonly code = 'ADMISSION_REVIEW_MALFORMED';
  readonly temporary = false;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedReviewError';
  }
}

/** Throws MalformedReviewError naming what is wrong. */
export function parseAdmissionReview(body: string): AdmissionRequest {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch {
    throw new MalformedReviewError('the body is not JSON');
  }
  if (!isObject(review)) throw new MalformedReviewError('the body is not a JSON object');
  if (review.apiVersion !== ADMISSION_API_VERSION || review.kind !== 'AdmissionReview')
    throw new MalformedReviewError(`expected apiVersion ${ADMISSION_API_VERSION} and kind AdmissionReview`);
  const request = review.request;
  if (!isObject(request)) throw new MalformedReviewError('request is missing');
  if (typeof request.uid !== 'string' || request.uid === '')
    throw new MalformedReviewError('request.uid is missing');
  return {
    uid: request.uid,
    namespace: typeof request.namespace === 'string' ? request.namespace : '',
    operation: typeof request.operation === 'string' ? request.operation : '',
    object: request.object,
  };
}

/**
 * The AdmissionReview answering `uid`: always allowed (the webhook never blocks a Pod), with the
 * patch when there is one and the warnings the API server passes on to the client.
 */
export function admissionResponse(
  uid: string,
  answer: { patch?: readonly JsonPatchOp[]; warnings?: readonly string[] } = {},
): object {
  const { patch = [], warnings = [] } = answer;
  return {
    apiVersion: ADMISSION_API_VERSION,
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: true,
      ...(patch.length === 0
        ? {}
        : { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }),
      ...(warnings.length === 0 ? {} : { warnings }),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
