/**
 * The data-plane state of the emulated domain or collection: user indexes with their settings, mappings and
 * documents (and what a search sees: the state as of the last refresh), ingest pipelines, search pipelines and
 * conversation memories.
 */
import { randomBytes } from 'crypto';
import { randomId } from './ids';
import { emptyMapping, MappingState } from './mappings';
import { JsonObject } from './xcontent';

export interface IndexedDoc {
  readonly id: string;
  source: JsonObject;
  version: number;
  seqNo: number;
}

export class UserIndex {
  readonly uuid = randomBytes(16).toString('base64url').slice(0, 22);
  readonly creationDate = Date.now();
  readonly docs = new Map<string, IndexedDoc>();
  /** What searches see: the documents as of the last refresh. */
  searchable = new Map<string, IndexedDoc>();
  private seq = 0;
  private lastRefresh = Date.now();

  constructor(
    readonly name: string,
    public settings: Map<string, string>,
    public mapping: MappingState = emptyMapping(),
  ) {}

  nextSeqNo(): number {
    return this.seq++;
  }

  refresh(): void {
    this.searchable = new Map([...this.docs.entries()].map(([id, doc]) => [id, { ...doc, source: doc.source }]));
    this.lastRefresh = Date.now();
  }

  /** The periodic refresh, applied lazily: once refresh_interval has passed since the last one (never for -1). */
  refreshIfDue(defaultIntervalMs: number): void {
    const interval = parseInterval(this.settings.get('index.refresh_interval'), defaultIntervalMs);
    if (interval >= 0 && Date.now() - this.lastRefresh >= interval) this.refresh();
  }
}

function parseInterval(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (value === '-1') return -1;
  const match = /^(\d+)(nanos|micros|ms|s|m|h|d)?$/.exec(value);
  if (!match) return fallback;
  const factor: Record<string, number> = { nanos: 1e-6, micros: 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };
  return Number(match[1]) * factor[match[2] ?? 'ms'];
}

export interface StoredPipeline {
  /** The definition exactly as it was sent (GET returns it unchanged). */
  readonly config: JsonObject;
}

export interface Memory {
  readonly id: string;
  readonly name: string;
  readonly createTime: string;
  updatedTime: string;
  readonly user?: string;
  readonly messages: MemoryMessage[];
}

export interface MemoryMessage {
  readonly memory_id: string;
  readonly message_id: string;
  readonly create_time: string;
  readonly input: string;
  readonly prompt_template: string;
  readonly response: string;
  readonly origin: string;
  readonly additional_info: Record<string, string>;
}

export class ClusterState {
  readonly indices = new Map<string, UserIndex>();
  readonly ingestPipelines = new Map<string, StoredPipeline>();
  readonly searchPipelines = new Map<string, StoredPipeline>();
  readonly memories = new Map<string, Memory>();
  /** IngestMetadata exists once a pipeline was stored (until then DELETE of any id is acknowledged). */
  ingestMetadata = false;
  searchPipelineMetadata = false;

  /**
   * @param defaultRefreshMs index.refresh_interval when an index sets none: 1 s on a domain, 60 s on a vector search
   * collection ("The refresh interval for indexes on vector search collections is 60 seconds").
   */
  constructor(readonly defaultRefreshMs: number) {}

  newMemoryId(): string {
    return randomId();
  }

  reset(): void {
    this.indices.clear();
    this.ingestPipelines.clear();
    this.searchPipelines.clear();
    this.memories.clear();
    this.ingestMetadata = false;
    this.searchPipelineMetadata = false;
  }
}
