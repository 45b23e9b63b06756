/**
 * Conversation memory (ml-commons 2.12+, /_plugins/_ml/memory; 2.10-2.11 had /_plugins/_ml/memory/conversation behind
 * plugins.ml_commons.memory_feature_enabled, off by default, which the emulator does not serve): create, list, get,
 * delete memories and list or add their messages. Response fields from ActionConstants / Interaction /
 * ConversationMeta ("memory_id", "messages", "message_id", "create_time", "updated_time"); a missing memory is
 * ResourceNotFoundException "Memory [id] not found". Amazon OpenSearch Serverless does not support the Memory APIs
 * ("Unsupported Machine Learning APIs and features").
 */
import { authorize, refuseOnServerless } from './authz';
import { Memory, MemoryMessage } from './cluster-state';
import { RequestContext, TransportPhase } from './context';
import { callerName, json } from './http';
import { randomId } from './ids';
import { fail, osException } from './os-exception';
import { JsonObject, parseJsonBody, readText } from './xcontent';

const ACTION = 'cluster:admin/opensearch/ml/memory';

export function findMemory(ctx: RequestContext, id: string): Memory {
  const memory = ctx.emulator.cluster.memories.get(id);
  if (!memory) fail(osException('resource_not_found_exception', `Memory [${id}] not found`, 404));
  return memory;
}

function renderMemory(memory: Memory): Record<string, unknown> {
  const user = memory.user ? { user: memory.user } : {};
  return { memory_id: memory.id, create_time: memory.createTime, updated_time: memory.updatedTime, name: memory.name, ...user };
}

export function createMemory(ctx: RequestContext): TransportPhase {
  const body = (parseJsonBody(ctx.request) ?? {}) as JsonObject;
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/conversation/create`);
    const now = new Date().toISOString();
    const memory: Memory = {
      id: ctx.emulator.cluster.newMemoryId(),
      name: body.name === undefined ? '' : readText(body.name),
      createTime: now,
      updatedTime: now,
      ...(ctx.emulator.security.enabled ? { user: callerName(ctx.caller) } : {}),
      messages: [],
    };
    ctx.emulator.cluster.memories.set(memory.id, memory);
    return json(200, { memory_id: memory.id });
  };
}

export function listMemories(ctx: RequestContext): TransportPhase {
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/conversation/list`);
    const memories = [...ctx.emulator.cluster.memories.values()].sort((a, b) => b.updatedTime.localeCompare(a.updatedTime));
    return json(200, { memories: memories.map(renderMemory) });
  };
}

export function getMemory(ctx: RequestContext): TransportPhase {
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/conversation/get`);
    return json(200, renderMemory(findMemory(ctx, ctx.params[0])));
  };
}

export function deleteMemory(ctx: RequestContext): TransportPhase {
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/conversation/delete`);
    ctx.emulator.cluster.memories.delete(ctx.params[0]);
    return json(200, { success: true });
  };
}

export function listMessages(ctx: RequestContext): TransportPhase {
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/interaction/list`);
    return json(200, { messages: latestFirst(findMemory(ctx, ctx.params[0])) });
  };
}

export function createMessage(ctx: RequestContext): TransportPhase {
  const body = (parseJsonBody(ctx.request) ?? {}) as JsonObject;
  return () => {
    refuseOnServerless(ctx, 'The Memory API');
    authorize(ctx, `${ACTION}/interaction/create`);
    const memory = findMemory(ctx, ctx.params[0]);
    const text = (key: string): string => (body[key] === undefined ? '' : readText(body[key]));
    const message = addMessage(memory, text('input'), text('prompt_template'), text('response'), text('origin'), (body.additional_info ?? {}) as Record<string, string>);
    return json(200, { message_id: message.message_id });
  };
}

/** GetInteractions: newest first. */
export function latestFirst(memory: Memory): MemoryMessage[] {
  return [...memory.messages].reverse();
}

export function addMessage(
  memory: Memory, input: string, promptTemplate: string, response: string, origin: string, additionalInfo: Record<string, string>,
): MemoryMessage {
  const now = new Date().toISOString();
  const message: MemoryMessage = {
    memory_id: memory.id,
    message_id: randomId(),
    create_time: now,
    input,
    prompt_template: promptTemplate,
    response,
    origin,
    additional_info: additionalInfo,
  };
  memory.messages.push(message);
  memory.updatedTime = now;
  return message;
}
