/*
 * The physical IDs that are not an OpenSearch ID: the markers a failed create reports, so that
 * the rollback's Delete knows whether anything may exist. Built and read only here; a resource
 * type with a physical ID of its own (role mappings) builds and reads it in its module.
 */

/** Every marker starts with this; no OpenSearch ID does. */
const MARKER_PREFIX = 'cdk-opensearch-ml:';

const UNKNOWN_OUTCOME = /^cdk-opensearch-ml:create-unknown:(\d+):(.+)$/;
const LEFTOVER = /^cdk-opensearch-ml:leftover:([^:]+):(.+)$/;

export function isMarker(physicalId: string): boolean {
  return physicalId.startsWith(MARKER_PREFIX);
}

/** A create that certainly created nothing. */
export function notCreatedId(requestId: string): string {
  return `${MARKER_PREFIX}not-created:${requestId}`;
}

/** A create whose requests may have made something that no answer told the handler about. */
export interface UnknownOutcome {
  /** when the first of those requests was sent (the handler's clock) */
  readonly since: number;
  /** the CloudFormation RequestId of that create */
  readonly requestId: string;
}

export function unknownOutcomeId(outcome: UnknownOutcome): string {
  return `${MARKER_PREFIX}create-unknown:${outcome.since}:${outcome.requestId}`;
}

export function unknownOutcomeOf(physicalId: string): UnknownOutcome | undefined {
  const match = UNKNOWN_OUTCOME.exec(physicalId);
  return match ? { since: Number(match[1]), requestId: match[2] } : undefined;
}

/**
 * A create that failed and could not remove what it made, which it names in a form of its
 * resource type's (a model and its own model group): the rollback's Delete removes that.
 */
export function leftoverId(leftover: string, requestId: string): string {
  return `${MARKER_PREFIX}leftover:${leftover}:${requestId}`;
}

export function leftoverOf(physicalId: string): string | undefined {
  return LEFTOVER.exec(physicalId)?.[1];
}

/** What a create tells the handler as it goes, so that a failure (even the last-resort timeout) reports the right marker. */
export interface CreateTracker {
  /**
   * When the first create request was sent that may have made something no answer told us
   * about (lost answer, gateway error, or still in flight when the handler gave up).
   */
  unknownSince?: number;
  /** something this create made and has not removed (a model whose deploy failed): the failed answer names it */
  leftBehind?: string;
  /** what it made and could not remove, when the resource's ID alone would not find it all (a model and its own group): a leftover marker */
  leftover?: string;
}

/**
 * The physical ID of a failed create: what it may have left, so that the rollback's Delete can
 * remove it. A create-unknown marker only for a type whose Delete can sweep one (`sweeps`).
 */
export function failedCreateId(requestId: string, tracker: CreateTracker, sweeps: boolean): string {
  if (sweeps && tracker.unknownSince !== undefined) return unknownOutcomeId({ since: tracker.unknownSince, requestId });
  if (tracker.leftBehind !== undefined) return tracker.leftBehind;
  return tracker.leftover !== undefined ? leftoverId(tracker.leftover, requestId) : notCreatedId(requestId);
}
