/**
 * An in-memory stand-in for one OpenSearch system index: documents with _version/_seq_no bookkeeping and the
 * index-operation response shape that update/delete APIs return.
 */
import { randomId } from './ids';

export interface StoredDoc {
  readonly id: string;
  source: Record<string, unknown>;
  version: number;
  seqNo: number;
}

export type WriteResult = 'created' | 'updated' | 'deleted' | 'not_found';

export class DocIndex {
  private readonly docs = new Map<string, StoredDoc>();
  private nextSeqNoValue = 0;
  /** the IDs the next creates take, before random ones (tests that need IDs of a given shape) */
  readonly nextIds: string[] = [];

  constructor(readonly name: string) {}

  get(id: string): StoredDoc | undefined {
    return this.docs.get(id);
  }

  /** Documents in insertion order, which is also the order an unsorted search returns them in. */
  all(): StoredDoc[] {
    return [...this.docs.values()];
  }

  create(source: Record<string, unknown>, id = this.nextIds.shift() ?? randomId()): StoredDoc {
    const doc: StoredDoc = { id, source, version: 1, seqNo: this.nextSeqNoValue++ };
    this.docs.set(id, doc);
    return doc;
  }

  replace(doc: StoredDoc, source: Record<string, unknown>): StoredDoc {
    doc.source = source;
    doc.version += 1;
    doc.seqNo = this.nextSeqNoValue++;
    return doc;
  }

  delete(doc: StoredDoc): StoredDoc {
    this.docs.delete(doc.id);
    doc.version += 1;
    doc.seqNo = this.nextSeqNoValue++;
    return doc;
  }

  /** Whether the index exists: ml-commons makes its system indices on the first write to them. */
  get exists(): boolean {
    return this.nextSeqNoValue > 0;
  }

  /** Takes a sequence number, as a write that finds nothing (a not_found delete) does. */
  nextSeqNo(): number {
    return this.nextSeqNoValue++;
  }

  clear(): void {
    this.docs.clear();
    this.nextSeqNoValue = 0;
  }

  /** DocWriteResponse.toXContent, as returned by the update and delete APIs. */
  writeResponse(doc: StoredDoc, result: WriteResult, forcedRefresh: boolean): Record<string, unknown> {
    return {
      _index: this.name,
      _id: doc.id,
      _version: doc.version,
      result,
      ...(forcedRefresh ? { forced_refresh: true } : {}),
      _shards: { total: 2, successful: 2, failed: 0 },
      _seq_no: doc.seqNo,
      _primary_term: 1,
    };
  }
}

/** Deep copy of plain JSON data, so callers can never alias stored documents. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
