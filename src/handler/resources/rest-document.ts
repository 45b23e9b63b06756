/*
 * Plain REST resources (DESIGN.md: "plain REST resources share one generic handler path"): a JSON
 * document of a name, PUT, read and deleted at a path. Ingest pipelines, search pipelines, indexes
 * and the provider's security role are each a spec of this factory and one line of the table.
 *
 * - The physical ID is the document's name. A new name is a replacement (CloudFormation deletes the
 *   old document); a new domain keeps the name, so the update removes the document from the old domain.
 * - Nothing of someone else's is touched: what the handler writes carries the owner's mark (the stack
 *   ID and the resource's logical ID, ResourceContext.owner). A create or update that finds a document
 *   of that name without the mark refuses; a delete leaves such a document alone. A document with the
 *   mark (a create whose answer was lost, or a retained index whose resource comes back) is taken up.
 * - A create looks before it writes; a PUT of the same document is harmless to repeat, so it is retried.
 * - `retained`: a delete that leaves the document as it is (an index without removalPolicy 'destroy').
 */
import type { DocumentResourceProperties } from '../../contract';
import type { OpenSearchClient } from '../clients/opensearch';
import { DeployError, answerError, readErrorAnswer } from '../errors';
import { log } from '../log';
import { checked, requireObject, requireString, RawProperties, targetOf } from '../properties';
import type { ResourceContext, ResourceType } from '../resource';

export interface DocumentSpec<P extends DocumentResourceProperties> {
  readonly type: string;
  /** what it is, for messages: 'ingest pipeline' */
  readonly noun: string;
  /** the property that holds the document, and where its typedValues point */
  readonly key: string;
  /** the query string of the read, if any ('?flat_settings=true') */
  readonly readQuery?: string;
  /** the path of the document of this name */
  path(name: string): string;
  /** the document as it is written: with the owner's mark */
  marked(document: any, owner: string): unknown;
  /** what the type reads besides the name and the document */
  more?(props: Record<string, unknown>): Partial<P>;
  /** brings a document of ours that exists to `props` (default: PUT the marked document) */
  apply?(found: any, props: P, old: P | undefined, ctx: ResourceContext): Promise<void>;
  /** whether a delete leaves the document as it is */
  retained?(props: P): boolean;
  /** what a delete does first, once the document is known to be ours */
  beforeDelete?(props: P, ctx: ResourceContext, client: OpenSearchClient): Promise<void>;
  masterUserSecretArn?(props: P): string | undefined;
}

/** The mark of three of the four types: the owner at the end of the document's description. */
export function describedBy(document: Record<string, unknown>, owner: string): Record<string, unknown> {
  return { ...document, description: [document.description, `(managed by cdk-opensearch-ml: ${owner})`].filter(Boolean).join(' ') };
}

const whatOf = (spec: DocumentSpec<any>, props: DocumentResourceProperties) => `the ${spec.noun} '${props.name}'`;

function refused(spec: DocumentSpec<any>, response: any, props: DocumentResourceProperties, ctx: ResourceContext, verb: string): Error {
  return answerError(response, { ...ctx, operation: verb, what: `${verb} ${whatOf(spec, props)}` });
}

/** The document of that name, or undefined when there is none. */
async function readDocument<P extends DocumentResourceProperties>(
  spec: DocumentSpec<P>, props: P, ctx: ResourceContext, client: OpenSearchClient,
): Promise<any> {
  const response = await client.request({ method: 'GET', path: spec.path(props.name) + (spec.readQuery ?? '') });
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw refused(spec, response, props, ctx, 'read');
  return (response.json as any)?.[props.name] ?? {};
}

/** Creates the document, or brings ours to `props`; refuses one that is not ours. */
async function writeDocument<P extends DocumentResourceProperties>(
  spec: DocumentSpec<P>, props: P, old: P | undefined, ctx: ResourceContext, again = true,
): Promise<string> {
  const found = await readDocument(spec, props, ctx, ctx.client);
  if (found && !JSON.stringify(found).includes(ctx.owner)) {
    throw new DeployError(`${whatOf(spec, props)} exists on ${ctx.client.endpoint}, and this stack did not make it: it lacks the mark of ${ctx.owner}. ` +
      `It is left as it is. Give the construct another name, or remove that ${spec.noun} if nothing needs it, then deploy again.`);
  }
  // From here on a failed create may leave something: its rollback deletes it (if it is ours and not retained).
  ctx.tracker.unknownSince ??= Date.now();
  if (found && spec.apply) {
    await spec.apply(found, props, old, ctx);
    return props.name;
  }
  const response = await ctx.client.request({ method: 'PUT', path: spec.path(props.name), body: spec.marked((props as any)[spec.key], ctx.owner) });
  // An index whose create was answered too late for us: look again.
  if (again && readErrorAnswer(response).type === 'resource_already_exists_exception') return writeDocument(spec, props, old, ctx, false);
  if (response.status !== 200 && response.status !== 201) throw refused(spec, response, props, ctx, found ? 'update' : 'create');
  log(`${spec.noun} written`, { name: props.name });
  return props.name;
}

/** Deletes the document if it is ours and not retained. */
async function removeDocument<P extends DocumentResourceProperties>(
  spec: DocumentSpec<P>, props: P, ctx: ResourceContext, client = ctx.client,
): Promise<void> {
  if (spec.retained?.(props)) {
    log(`${spec.noun} retained`, { name: props.name });
    return;
  }
  const found = await readDocument(spec, props, ctx, client);
  if (found && !JSON.stringify(found).includes(ctx.owner)) {
    log(`${spec.noun} of that name is not this stack's: left`, { name: props.name });
    return;
  }
  if (!found) return;
  await spec.beforeDelete?.(props, ctx, client);
  const response = await client.request({ method: 'DELETE', path: spec.path(props.name) });
  if (response.status !== 200 && response.status !== 404) throw refused(spec, response, props, ctx, 'delete');
}

export function restDocument<P extends DocumentResourceProperties>(spec: DocumentSpec<P>): ResourceType<P> {
  return {
    type: spec.type,
    noun: spec.noun,
    unreadableDelete: 'succeed',
    parse: (raw: RawProperties): P => {
      const { contractVersion, props, typedValues } = checked(raw, `/${spec.key}`);
      return {
        contractVersion, ...targetOf(props), name: requireString(props, 'name'), [spec.key]: requireObject(props, spec.key), typedValues, ...spec.more?.(props),
      } as unknown as P;
    },
    create: (props, ctx) => writeDocument(spec, props, undefined, ctx),
    update: async (_id, props, old, ctx) => {
      if (!old || old.endpoint === props.endpoint) return writeDocument(spec, props, old?.name === props.name ? old : undefined, ctx);
      // Another domain, the same name (so the same physical ID): CloudFormation deletes nothing, so the move does.
      await writeDocument(spec, props, undefined, ctx);
      await removeDocument(spec, old, ctx, ctx.client.to(old)).catch((e) => log(`${spec.noun} left on the old domain`, { name: old.name, error: String(e) }));
      return props.name;
    },
    delete: (_id, props, ctx) => removeDocument(spec, props, ctx),
    // The rollback of a create that may have written: removes the document if it is ours (and not retained).
    sweep: (_outcome, props, ctx) => removeDocument(spec, props, ctx),
    masterUserSecretArn: spec.masterUserSecretArn,
  };
}
