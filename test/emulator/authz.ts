/**
 * Authorization of the index, document, pipeline and search APIs: the security plugin's privilege check of the
 * transport action (on each index for index actions), and on a serverless collection the data access policy
 * permission for the index ("Supported operations and plugins in Amazon OpenSearch Serverless": aoss:CreateIndex
 * PUT <index>; aoss:DescribeIndex GET/HEAD <index>, _mapping, _settings; aoss:UpdateIndex PUT _mapping/_settings;
 * aoss:DeleteIndex DELETE <index>; aoss:WriteDocument _bulk, _doc writes; aoss:ReadDocument _doc reads, _search,
 * _count). Pipelines are not in that table: see the README's assumptions.
 */
import { randomUUID } from 'crypto';
import { serverlessForbidden } from './aoss';
import { RequestContext } from './context';
import { HttpError, json } from './http';

export type IndexPermission = 'aoss:CreateIndex' | 'aoss:DescribeIndex' | 'aoss:UpdateIndex' | 'aoss:DeleteIndex' | 'aoss:ReadDocument' | 'aoss:WriteDocument';

/** The security plugin's check (FGAC); throws its 403. */
export function authorize(ctx: RequestContext, action: string, indices?: readonly string[]): void {
  const denied = ctx.emulator.security.checkAction(ctx.caller, action, indices);
  if (denied) throw new HttpError(denied);
}

/** Like authorize, but returns the refusal (for bulk items, which fail one by one). */
export function authorizationFailure(ctx: RequestContext, action: string, indices: readonly string[]): HttpError | undefined {
  const denied = ctx.emulator.security.checkAction(ctx.caller, action, indices);
  return denied ? new HttpError(denied) : undefined;
}

/** On a serverless collection: the data access permission on index/<collection>/<index> (or index/<collection>/*). */
export function authorizeCollection(ctx: RequestContext, permission: IndexPermission, index = '*'): void {
  const { serverless } = ctx.emulator;
  if (!serverless || ctx.caller.kind !== 'iam') return;
  if (!serverless.allows(ctx.caller.roleArn, 'index', `index/${serverless.collectionName}/${index}`, permission)) {
    throw new HttpError(serverlessForbidden());
  }
}

/**
 * An OpenSearch API a serverless collection does not offer (not in the supported operations table, or listed as
 * unsupported). The documentation does not show the answer; this shape is an assumption (see README).
 */
export function refuseOnServerless(ctx: RequestContext, what: string): void {
  if (!ctx.emulator.serverless) return;
  throw new HttpError(json(404, {
    'status': 404,
    'request-id': randomUUID(),
    'error': { reason: `${what} is not supported by Amazon OpenSearch Serverless`, type: 'NotFound' },
  }));
}
