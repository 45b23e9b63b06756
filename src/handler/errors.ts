import type { HttpResponse } from './transport';

/**
 * A failure to report to CloudFormation. The message is what the user reads in the
 * stack events: what OpenSearch answered and what to do about it.
 */
export class DeployError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployError';
  }
}

/** What an error answer says, whichever of OpenSearch's or AWS's shapes it has. */
export interface ErrorAnswer {
  readonly status: number;
  readonly type?: string;
  readonly reason: string;
}

export function readErrorAnswer(response: HttpResponse): ErrorAnswer {
  const body = response.json as Record<string, unknown> | undefined;
  if (body && typeof body === 'object') {
    const error = body.error;
    if (error && typeof error === 'object') {
      const e = error as Record<string, unknown>;
      return { status: response.status, type: str(e.type), reason: str(e.reason) ?? JSON.stringify(e) };
    }
    if (typeof error === 'string') {
      return { status: response.status, reason: error };
    }
    // AWS front end (IAM, signature): {"message": ...} or {"Message": ...}; security plugin: {"status":..,"message":..}
    const message = str(body.message) ?? str(body.Message);
    if (message) {
      return { status: response.status, type: str(body.__type) ?? str(body.status), reason: message };
    }
  }
  return { status: response.status, reason: response.text.trim().slice(0, 500) || '(empty body)' };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * OpenSearch Serverless answers a caller that its IAM policy (aoss:APIAccessAll) or the collection's
 * data access policy does not allow with a bare {"status":403,"error":{"reason":"403 Forbidden","type":"Forbidden"}}.
 */
function isServerlessDenial(answer: ErrorAnswer): boolean {
  return answer.type === 'Forbidden' && answer.reason === '403 Forbidden';
}

/** An IAM denial from the AWS front end of the domain (not the security plugin): may be IAM still propagating. */
export function isIamDenial(response: HttpResponse): boolean {
  if (response.status !== 403) return false;
  const answer = readErrorAnswer(response);
  // A data access policy created in the same deployment takes a while to apply, as IAM grants do.
  if (isServerlessDenial(answer)) return true;
  // An unsigned request (basic auth) refused by the access policy is not a grant on its way.
  // A model's service refusing the connector role is relayed as "Error from remote service": not ours to wait for.
  return answer.type !== 'security_exception' && /is not authorized to perform/i.test(answer.reason) && !/User: anonymous |Error from remote service/.test(answer.reason);
}

/** An unsigned request (basic auth) refused by the domain's access policy: IAM saw an anonymous caller. */
export function isAnonymousDenial(response: HttpResponse): boolean {
  return response.status === 403 && /User: anonymous is not authorized/.test(readErrorAnswer(response).reason);
}

/**
 * Error types that say the request itself is wrong, whatever the status: another try gets
 * the same answer (OpenSearch 2.9–2.11 answer some of them with 500).
 */
const DETERMINISTIC_TYPES = new Set(['illegal_argument_exception', 'illegal_state_exception', 'm_l_validation_exception', 'status_exception', 'parsing_exception']);

/**
 * An ML node refusing a task because it runs as many as it may: ml-commons' MLTaskManager throws
 * MLLimitExceededException "exceed max running task limit" at max_register_model_tasks_per_node /
 * max_deploy_model_tasks_per_node (10 by default; opensearch-project/ml-commons MLCommonsSettings),
 * before the task does anything. A register answers it with 500 m_l_limit_exceeded_exception; a
 * deploy, which runs on the nodes after its answer, reports it in the task's error. A full thread
 * pool queue ("rejected execution of ...") is the same: no room now, room later.
 */
export const NO_ROOM = /exceed max running task limit|rejected execution of/i;

export function isNoRoom(response: HttpResponse): boolean {
  const answer = readErrorAnswer(response);
  return answer.type === 'm_l_limit_exceeded_exception' || (response.status >= 500 && NO_ROOM.test(answer.reason));
}

/**
 * ml-commons without its encryption master key yet: EncryptorImpl refuses to encrypt or decrypt a
 * connector's credential with ResourceNotFoundException (404) "The ML encryption master key has not
 * been initialized yet. Please retry after waiting for 10 seconds." or, when reading the key from its
 * config index takes over 3 s, MLException "Fetching master key timed out." (opensearch-project/ml-commons
 * EncryptorImpl). Both come before anything is stored: a fresh domain's first creates, to be tried again.
 */
export const MASTER_KEY_NOT_READY = /encryption master key has not been initialized yet|Fetching master key timed out/i;

export function isMasterKeyNotReady(response: HttpResponse): boolean {
  return response.status >= 400 && MASTER_KEY_NOT_READY.test(readErrorAnswer(response).reason);
}

/**
 * An ML document that is not there, as a delete answers it: 404, or 2.19's data-object layer failing
 * on an index that was never made: 500 "Failed to delete data object from index .plugins-ml-connector"
 * caused by index_not_found_exception (real 2.19.6, deleting a connector on a domain that never held
 * one; ml-commons' SdkClient wraps the cause in an OpenSearchStatusException).
 */
export function isGone(response: HttpResponse): boolean {
  if (response.status === 404) return true;
  return response.status === 500 && /^Failed to delete data object from index \.plugins-ml-/.test(readErrorAnswer(response).reason) &&
    response.text.includes('index_not_found_exception');
}

/**
 * ml-commons' answer when a search of one of its own indices failed, wrapped in a status_exception
 * (a type that is otherwise final): seen on OpenSearch 2.19.6 when a stack's models were registered at once
 * on a domain that had no model group yet, one register searching `.plugins-ml-model-group` for its
 * group's name while another was creating that index: 500, type `status_exception`, reason
 * "Failed to search indices [.plugins-ml-model-group]" (one register of 14; test/real/scale.test.ts).
 * Not the request's fault: a server error like any other, tried again (a register after a lookup).
 */
export function isFailedIndexSearch(response: HttpResponse): boolean {
  return response.status >= 500 && /^Failed to search ind(ex|ices)\b/.test(readErrorAnswer(response).reason);
}

/**
 * A write that lost a race with another write of the same document: nothing was written, and another
 * try reads the new version. Seen on OpenSearch 3.6.0 when two connector updates of one stack deployed
 * the same model at once (see connector.ts, updateAroundModels): 409, type `status_exception`, reason
 * "Document version conflict updating <model ID> in index .plugins-ml-model".
 */
export function isVersionConflict(response: HttpResponse): boolean {
  return response.status === 409 && /version conflict/i.test(readErrorAnswer(response).reason);
}

export function isDeterministicFailure(response: HttpResponse): boolean {
  const type = readErrorAnswer(response).type;
  return type !== undefined && DETERMINISTIC_TYPES.has(type);
}

/** "OpenSearch answered 403 security_exception: no permissions for ..." */
export function describeAnswer(answer: ErrorAnswer): string {
  return `OpenSearch answered ${answer.status}${answer.type ? ` ${answer.type}` : ''}: ${answer.reason}`;
}

/** What to do when deployed models keep their connector from changing. */
export const UNDEPLOY_AROUND = 'Undeploy the models (POST _plugins/_ml/models/<id>/_undeploy), deploy the stack again, then deploy them again.';

/** What to do when models keep their connector from being deleted. */
export const DELETE_MODELS_FIRST = 'Delete those models (or point them at another connector), then delete the connector again.';

/** The likely fix for an error answer, in one or two sentences. */
export function likelyFix(answer: ErrorAnswer, context: { providerRoleArn?: string; operation: string }): string {
  const role = context.providerRoleArn ?? 'the provider function\'s role';
  const reason = answer.reason;
  if (answer.status === 403 && (answer.type === 'security_exception' || /no permissions for/i.test(reason))) {
    return `Fine-grained access control: map the IAM role ${role} as a backend role of ml_full_access (Dashboards > Security > Roles, or PUT _plugins/_security/api/rolesmapping/ml_full_access), then deploy again.`;
  }
  if (answer.status === 403 && /iam:PassRole/i.test(reason)) {
    return `The provider role ${role} may not pass the connector role: its iam:PassRole grant is missing or not yet effective. Deploy again; if it persists, look for an SCP or permissions boundary denying it.`;
  }
  if (isServerlessDenial(answer)) {
    return `The collection refused ${role}: it needs aoss:APIAccessAll on the collection (IAM) and, in a data access policy, ` +
      'aoss:CreateMLResource, UpdateMLResource, DeleteMLResource, DescribeMLResource and ExecuteMLResource on model/<collection>/*.';
  }
  if (answer.status === 403 && /is not authorized to perform/i.test(reason)) {
    return `Allow ${role} to call es:ESHttp* on the domain's _plugins/_ml/* paths: the domain's access policy must not deny it (retried for IAM propagation before giving up).`;
  }
  if (answer.status === 403) {
    return 'Check the signing region, and that the domain\'s access policy allows the provider role.';
  }
  if (answer.status === 401) {
    return 'The domain wants credentials (basic auth only): map the provider role to ml_full_access or let it use the master user.';
  }
  if (/trusted connector endpoint/i.test(reason)) {
    return 'Add a pattern for the action URL to the setting plugins.ml_commons.trusted_connector_endpoints_regex, or use a trusted URL.';
  }
  if (/models? (are|is) still using this connector/i.test(reason)) {
    return context.operation === 'update' ? UNDEPLOY_AROUND : DELETE_MODELS_FIRST;
  }
  if (answer.status === 404 && /no handler found|not found/i.test(reason) && context.operation === 'create') {
    return 'The domain has no ML Commons connector API: it needs OpenSearch 2.9 or later.';
  }
  if (answer.status === 400) {
    return 'ml-commons rejected the body: fix the property it names in the MlConnector or its blueprint.';
  }
  if (answer.status === 429 || answer.status >= 500) {
    return 'The domain was busy or unavailable until the time ran out: check its health, then deploy again.';
  }
  return 'Check the answer above and the handler\'s log.';
}

/** " (3 attempts)" when the answer came after retries, for messages. */
export function attemptsNote(response: HttpResponse): string {
  return response.attempts && response.attempts > 1 ? ` (${response.attempts} attempts)` : '';
}

/** An error answer as a DeployError with its likely fix. */
export function answerError(response: HttpResponse, context: { providerRoleArn?: string; operation: string; what: string }): DeployError {
  const answer = readErrorAnswer(response);
  const attempts = attemptsNote(response);
  return new DeployError(`Could not ${context.what}${attempts}. ${describeAnswer(answer)}. ${likelyFix(answer, context)}`);
}
