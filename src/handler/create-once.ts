/*
 * Creating what OpenSearch gives no idempotency key for (connectors, models, model groups)
 * without duplicates. Happy path: one request. A request whose outcome is unknown (its answer
 * lost, or a gateway error) is never repeated blindly: what it may have made is looked up
 * first (by the creation token a connector carries, by the name, connector and time of a model)
 * and adopted; for a unique name (model groups) the next request's refusal names it. Extras
 * that lost requests made are removed, and a create that fails removes what they made before
 * it reports the failure. The tracker tells the handler, as it goes, what a failure must report.
 */
import { ATTEMPT_TIMEOUT_MS, OpenSearchClient } from './clients/opensearch';
import { Deadline, sleep } from './deadline';
import { DeployError } from './errors';
import { log } from './log';
import type { CreateTracker } from './physical-id';
import { sleepBeforeRetry, Verdict } from './retry';
import { HttpResponse, TransportError } from './transport';

/** How to find what the requests of one create made, and remove one of them. */
export interface Lookup {
  /** what they made, the one to keep first; undefined when the lookup itself failed */
  find(deadline: Deadline): Promise<string[] | undefined>;
  /** throws when it could not */
  remove(id: string): Promise<void>;
}

export interface Creation {
  /** what is created, for log lines: 'connector' */
  readonly noun: string;
  /** for messages: "create the connector 'embeddings'" */
  readonly what: string;
  /** the POST that creates it, and the field of its success answer that holds the new ID */
  readonly path: string;
  readonly body: unknown;
  readonly idField: string;
  /** how to find what a request whose outcome is unknown made; absent for unique names (`taken`) */
  readonly lookup?: Lookup;
  /** the ID that an answer refusing a unique name says holds it: after a lost answer, what that request made */
  readonly taken?: (response: HttpResponse) => string | undefined;
  /** this API's reading of an outcome, given the client's (a 429 a model register may have answered after making the model) */
  readonly verdict?: (outcome: HttpResponse | TransportError, standard: Verdict) => Verdict;
  /** the error for an answer that refuses the create, or for the last answer when the time ran out (`what` then says so) */
  readonly refused: (response: HttpResponse, what: string) => DeployError | Promise<DeployError>;
}

export interface CreateContext {
  readonly client: OpenSearchClient;
  readonly deadline: Deadline;
  readonly tracker: CreateTracker;
}

/** New documents become searchable after the index refreshes (every second by default). */
const REFRESH_WAIT_MS = 1_500;
/** Time a failing create keeps for deleting what its lost requests made. */
const CLEANUP_RESERVE_MS = 15_000;

interface State {
  /** a request may have made something that neither its answer nor a lookup accounted for */
  lost: boolean;
}

/** Creates it and returns its ID, or throws a DeployError. */
export async function createOnce(creation: Creation, ctx: CreateContext): Promise<string> {
  const state: State = { lost: false };
  // Keep time to delete what lost requests made, should the create fail.
  const reserve = creation.lookup ? Math.min(CLEANUP_RESERVE_MS, ctx.deadline.remaining() / 4) : 0;
  try {
    const id = await attempts(creation, { ...ctx, deadline: Deadline.in(ctx.deadline.remaining() - reserve) }, state);
    // A lost request may have made another one that the lookups missed: keep exactly one.
    if (state.lost && creation.lookup) await removeCreated(creation.noun, creation.lookup, ctx.deadline, id);
    return id;
  } catch (e) {
    if (state.lost && creation.lookup) await removeCreated(creation.noun, creation.lookup, ctx.deadline);
    throw e;
  }
}

async function attempts(creation: Creation, ctx: CreateContext, state: State): Promise<string> {
  /** the last attempt's answer; undefined when it got none (then lostMessage says why) */
  let last: HttpResponse | undefined;
  let lostMessage = '';
  /** a request may have made it and no lookup has yet said whether it did */
  let mustLook = false;
  let sent = 0;
  for (let attempt = 0; ; attempt++) {
    if (mustLook) {
      const found = await look(creation, ctx, state);
      if (found) return found;
      mustLook = found === undefined;
    }
    if (!mustLook) {
      // Until an answer says otherwise, this request may create something.
      const before = ctx.tracker.unknownSince;
      ctx.tracker.unknownSince ??= Date.now();
      sent++;
      let outcome: HttpResponse | TransportError;
      try {
        // Wait for an answer at most half the time left: the other half may be needed to find out what happened.
        outcome = await ctx.client.once('POST', creation.path, creation.body, Math.min(ATTEMPT_TIMEOUT_MS, ctx.deadline.remaining() / 2));
      } catch (e) {
        if (!(e instanceof TransportError)) throw e;
        outcome = e;
      }
      const standard = ctx.client.verdictOf(outcome);
      const verdict = creation.verdict?.(outcome, standard) ?? standard;
      if (verdict === 'unknown') state.lost = true;
      else ctx.tracker.unknownSince = before;
      if (outcome instanceof TransportError) {
        last = undefined;
        lostMessage = outcome.message;
      } else {
        const id = (outcome.json as Record<string, unknown> | undefined)?.[creation.idField];
        if (outcome.status === 200 && typeof id === 'string' && id.length > 0) return id;
        const taken = state.lost ? creation.taken?.(outcome) : undefined;
        if (taken) {
          log(`adopted ${creation.noun} created by an unanswered request`, { id: taken });
          return taken;
        }
        if (verdict === 'final') throw await creation.refused(outcome, `${creation.what}${sent > 1 ? ` (${sent} attempts)` : ''}`);
        last = outcome;
      }
      if (verdict === 'unknown' && creation.lookup) {
        const found = await look(creation, ctx, state);
        if (found) return found;
        mustLook = found === undefined;
      }
    }
    if (!(await sleepBeforeRetry(attempt, ctx.deadline, 1_000))) {
      const what = `${creation.what} (${sent} attempt${sent === 1 ? '' : 's'}, retried until the handler's time ran out)`;
      if (last) throw await creation.refused(last, what);
      throw new DeployError(`Could not ${what}. The last attempt got no answer: ${lostMessage}. ` +
        'The domain was unreachable or busy; check its health and deploy again.');
    }
  }
}

/** What the lost requests made: the first found is adopted (any other removed), none (false), or undefined when the lookup failed. */
async function look(creation: Creation, ctx: CreateContext, state: State): Promise<string | false | undefined> {
  await sleep(Math.min(REFRESH_WAIT_MS, ctx.deadline.remaining() / 4));
  const ids = await creation.lookup!.find(ctx.deadline);
  if (ids === undefined) return undefined;
  if (ids.length === 0) return false;
  log(`adopted ${creation.noun} created by an unanswered request`, { id: ids[0] });
  await removeEach(creation.noun, creation.lookup!, ids.slice(1));
  state.lost = false;
  return ids[0];
}

/**
 * Removes what the requests of a create made, except `keep`: in the create itself, and in the
 * rollback's Delete of a create whose outcome stayed unknown. Best effort: failures are
 * logged, not thrown.
 */
export async function removeCreated(noun: string, lookup: Lookup, deadline: Deadline, keep?: string): Promise<void> {
  await sleep(Math.min(REFRESH_WAIT_MS, deadline.remaining() / 4));
  const ids = await lookup.find(deadline);
  if (ids === undefined) {
    log(`could not look for ${noun}s left by unanswered creates`);
    return;
  }
  await removeEach(noun, lookup, ids.filter((id) => id !== keep));
}

async function removeEach(noun: string, lookup: Lookup, ids: string[]): Promise<void> {
  for (const id of ids) {
    try {
      await lookup.remove(id);
      log(`removed ${noun} left by an unanswered create`, { id });
    } catch (e) {
      log(`could not remove ${noun} left by an unanswered create`, { id, error: (e as Error).message });
    }
  }
}
