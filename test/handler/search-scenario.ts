/*
 * Semantic, hybrid and RAG search end to end, as an application sees it once the stack is deployed:
 * three documents through the index's default ingest pipeline, a neural query, a hybrid query and a RAG
 * answer. Written against a DataPlane (signed requests to the domain or collection), so that the same
 * steps run against the emulator and against a real node.
 */

/** Requests of an application to the domain or collection, signed as it signs them. */
export interface DataPlane {
  request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }>;
  /** Makes the writes so far searchable (a collection refreshes on its own, every minute). */
  refresh(index: string): Promise<void>;
}

/** Three documents: the nearest to "furry cats" is the first, to "stock market" the second. */
export const DOCUMENTS = [
  { text: 'Cats are small furry pets that purr', category: 'pets' },
  { text: 'The stock market fell sharply on Monday', category: 'finance' },
  { text: 'Rain is expected over the mountains tonight', category: 'weather' },
];

/**
 * `_bulk` of the three documents (IDs "0", "1", "2", or, on a vector collection, which refuses
 * document IDs, the service's own); the index's default pipeline embeds them.
 */
export async function ingest(data: DataPlane, index: string, withIds = true): Promise<any> {
  const action = (i: number) => JSON.stringify({ index: { _index: index, ...(withIds ? { _id: String(i) } : {}) } });
  const body = DOCUMENTS.map((doc, i) => `${action(i)}\n${JSON.stringify(doc)}\n`).join('');
  const reply = await data.request('POST', '/_bulk', body);
  await data.refresh(index);
  return reply;
}

export const idsOf = (reply: { json: any }): string[] => (reply.json?.hits?.hits ?? []).map((hit: { _id: string }) => hit._id);

/** Which of the DOCUMENTS each hit is (by its text), for IDs the service chose. */
export const documentsOf = (reply: { json: any }): number[] =>
  (reply.json?.hits?.hits ?? []).map((hit: { _source?: { text?: string } }) => DOCUMENTS.findIndex((doc) => doc.text === hit._source?.text));

/** A neural query that names no model: the index's default search pipeline (the enricher) does. */
export function neural(data: DataPlane, index: string, vectorField: string, text: string) {
  return data.request('POST', `/${index}/_search`, { _source: ['text'], query: { neural: { [vectorField]: { query_text: text, k: 3 } } } });
}

/** A hybrid query: lexical match and neural, normalized and combined by the default search pipeline. */
export function hybrid(data: DataPlane, index: string, vectorField: string, text: string) {
  return data.request('POST', `/${index}/_search`, {
    _source: ['text'],
    query: { hybrid: { queries: [{ match: { text } }, { neural: { [vectorField]: { query_text: text, k: 3 } } }] } },
  });
}

/** A question answered by the chat model of the RAG pipeline from the nearest document. */
export function rag(data: DataPlane, index: string, pipeline: string, vectorField: string, question: string, llmResponseField?: string) {
  return data.request('POST', `/${index}/_search?search_pipeline=${encodeURIComponent(pipeline)}`, {
    _source: ['text'],
    query: { neural: { [vectorField]: { query_text: question, k: 1 } } },
    ext: {
      generative_qa_parameters: { llm_question: question, context_size: 1, ...(llmResponseField ? { llm_response_field: llmResponseField } : {}) },
    },
  });
}
