/**
 * Ingest pipelines: PUT/GET/DELETE /_ingest/pipeline/{id}, the processors a vector-search setup uses, and running a
 * document through a pipeline.
 *
 * PUT validates exactly what OpenSearch validates before storing (IngestService.validatePipeline -> Pipeline.create ->
 * ConfigurationUtils.readProcessor -> each processor factory): unknown types ("No processor type exists with name
 * [x]"), missing or wrongly typed properties ("[model_id] required property is missing"), leftover properties
 * ("processor [t] doesn't support one or more provided configuration parameters [x]"), and each factory's own checks.
 * Errors carry processor_type / processor_tag / property_name metadata. Nothing looks at the model at PUT time:
 * neural-search's InferenceProcessor checks only that model_id is non-blank and field_map valid, ml_inference only
 * that model_id is present; whether the model exists or is deployed shows when a document is ingested (predict's
 * "Failed to find model" / "Model not ready yet..."), per document.
 *
 * Version gates: text_embedding 2.9 (neural-search GA), sparse_encoding and text_image_embedding 2.11, text_chunking
 * 2.13, ml_inference 2.14 (ml-commons), batch_size 2.16 (AbstractBatchingProcessor); copy and remove_by_pattern 2.12, fingerprint 2.16
 * (OpenSearch ingest-common).
 */
import { authorize, authorizeCollection, refuseOnServerless } from './authz';
import { RequestContext, TransportPhase } from './context';
import { json } from './http';
import { embedTexts, predictAs, sparseEncode } from './inference';
import { errorOf, fail, illegalArgumentError, javaException, javaList, OsError, osException, OsFailure } from './os-exception';
import { clone } from './store';
import { storePipeline } from './stored-pipelines';
import { EngineVersion } from './version';
import { JsonObject, parseJsonBody, tokenOf } from './xcontent';

export interface IngestDocument {
  source: JsonObject;
  index: string;
  id?: string;
  readonly timestamp: string;
}

export interface IngestEnv {
  readonly ctx: RequestContext;
  readonly pipelineStack: string[];
}

interface Processor {
  readonly type: string;
  readonly tag?: string;
  readonly ignoreFailure: boolean;
  readonly onFailure: readonly Processor[];
  readonly condition?: unknown;
  /** Returns false to drop the document. */
  execute(doc: IngestDocument, env: IngestEnv): boolean;
}

interface Factory {
  readonly since?: readonly [number, number];
  create(config: Config, version: EngineVersion): (doc: IngestDocument, env: IngestEnv) => boolean;
}

/** ConfigurationUtils readers: each read removes the property; errors are parse_exception with metadata. */
export class Config {
  /** type undefined: pipeline-level properties, whose errors carry no processor_type. */
  constructor(readonly type: string | undefined, readonly tag: string | undefined, readonly values: JsonObject) {}

  error(property: string | undefined, reason: string): OsFailure {
    return new OsFailure(configurationError(this.type, this.tag, property, property ? `[${property}] ${reason}` : reason));
  }

  take(name: string): unknown {
    const value = this.values[name];
    delete this.values[name];
    return value;
  }

  string(name: string): string;
  string(name: string, fallback: string | null): string | undefined;
  string(name: string, fallback?: string | null): string | undefined {
    const value = this.take(name);
    if (value === undefined || value === null) {
      if (fallback === undefined) throw this.error(name, 'required property is missing');
      return fallback ?? undefined;
    }
    if (typeof value !== 'string') throw this.error(name, `property isn't a string, but of type [${javaType(value)}]`);
    return value;
  }

  stringOrList(name: string, required: boolean): string[] | undefined {
    const value = this.take(name);
    if (value === undefined || value === null) {
      if (required) throw this.error(name, 'required property is missing');
      return undefined;
    }
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
    throw this.error(name, `property isn't a string or a list, but of type [${javaType(value)}]`);
  }

  map(name: string, required: boolean): JsonObject | undefined {
    const value = this.take(name);
    if (value === undefined || value === null) {
      if (required) throw this.error(name, 'required property is missing');
      return undefined;
    }
    if (tokenOf(value) !== 'START_OBJECT') throw this.error(name, `property isn't a map, but of type [${javaType(value)}]`);
    return value as JsonObject;
  }

  list(name: string, required: boolean): unknown[] | undefined {
    const value = this.take(name);
    if (value === undefined || value === null) {
      if (required) throw this.error(name, 'required property is missing');
      return undefined;
    }
    if (!Array.isArray(value)) throw this.error(name, `property isn't a list, but of type [${javaType(value)}]`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.take(name);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') throw this.error(name, `property isn't a boolean, but of type [${javaType(value)}]`);
    return value;
  }

  int(name: string, fallback: number): number {
    const value = this.take(name);
    if (value === undefined || value === null) return fallback;
    if (!/^-?\d+$/.test(String(value))) throw this.error(name, `property cannot be converted to an int [${String(value)}]`);
    return Number(value);
  }

  object(name: string, required: boolean): unknown {
    const value = this.take(name);
    if ((value === undefined || value === null) && required) throw this.error(name, 'required property is missing');
    return value;
  }
}

export function javaType(value: unknown): string {
  if (typeof value === 'string') return 'java.lang.String';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'java.lang.Integer' : 'java.lang.Double';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  return 'java.util.HashMap';
}

/** ConfigurationUtils.newConfigurationException(type, tag, property, reason). */
export function configurationError(type: string | undefined, tag: string | undefined, property: string | undefined, reason: string): OsError {
  const metadata: Record<string, string> = {};
  if (type !== undefined) metadata.processor_type = type;
  if (tag !== undefined) metadata.processor_tag = tag;
  if (property !== undefined) metadata.property_name = property;
  return osException('parse_exception', reason, 400, metadata);
}

/** newConfigurationException(type, tag, null, cause): OpenSearchExceptions gain the metadata, others are wrapped. */
function withProcessorMetadata(error: unknown, type: string, tag: string | undefined): OsError {
  const cause = errorOf(error);
  const metadata = { ...(cause.metadata ?? {}), processor_type: type, ...(tag === undefined ? {} : { processor_tag: tag }) };
  if (cause.openSearch) return { ...cause, metadata };
  const javaName = { illegal_argument_exception: 'java.lang.IllegalArgumentException', illegal_state_exception: 'java.lang.IllegalStateException' }[cause.type]
    ?? 'java.lang.RuntimeException';
  return osException('exception', `${javaName}: ${cause.reason}`, cause.status, metadata, cause);
}

/** Processors of OpenSearch core that the emulator knows by name but does not run (a document through them fails). */
const NOT_RUN: Readonly<Record<string, readonly [number, number] | undefined>> = {
  bytes: undefined,
  csv: undefined,
  date: undefined,
  date_index_name: undefined,
  dissect: undefined,
  dot_expander: undefined,
  foreach: undefined,
  grok: undefined,
  html_strip: undefined,
  json: undefined,
  kv: undefined,
  script: undefined,
  sort: undefined,
  uri_parts: undefined,
  urldecode: undefined,
  user_agent: undefined,
  geoip: undefined,
  community_id: [2, 9],
  ip2geo: [2, 10],
  remove_by_pattern: [2, 12],
  fingerprint: [2, 16],
};

const FACTORIES: Readonly<Record<string, Factory>> = {
  set: { create: setProcessor },
  remove: { create: removeProcessor },
  rename: { create: (config) => transferProcessor(config, 'rename') },
  copy: { since: [2, 12], create: (config) => transferProcessor(config, 'copy') },
  lowercase: { create: (config) => stringProcessor(config, (value) => value.toLowerCase()) },
  uppercase: { create: (config) => stringProcessor(config, (value) => value.toUpperCase()) },
  trim: { create: (config) => stringProcessor(config, (value) => value.trim()) },
  append: { create: appendProcessor },
  convert: { create: convertProcessor },
  split: { create: splitProcessor },
  join: { create: joinProcessor },
  gsub: { create: gsubProcessor },
  drop: { create: () => () => false },
  fail: { create: failProcessor },
  pipeline: { create: pipelineProcessor },
  text_embedding: { since: [2, 9], create: (config, version) => fieldInferenceProcessor(config, version, (env, model, texts) => embedTexts(env.ctx, model, texts), 'knn') },
  sparse_encoding: {
    since: [2, 11],
    create: (config, version) => fieldInferenceProcessor(config, version, (env, model, texts) => sparseEncode(env.ctx, model, texts), 'sparse_encoding'),
  },
  text_image_embedding: { since: [2, 11], create: (config, version) => textImageEmbeddingProcessor(config, version) },
  text_chunking: { since: [2, 13], create: textChunkingProcessor },
  ml_inference: { since: [2, 14], create: mlInferenceProcessor },
};

function factoryFor(type: string, version: EngineVersion): Factory | undefined {
  const factory = FACTORIES[type];
  if (factory) return !factory.since || version.atLeast(factory.since[0], factory.since[1]) ? factory : undefined;
  if (type in NOT_RUN) {
    const since = NOT_RUN[type];
    if (since && !version.atLeast(since[0], since[1])) return undefined;
    return {
      create: (config) => {
        for (const key of Object.keys(config.values)) delete config.values[key];
        return () => {
          throw new OsFailure(javaException('exception', `The emulator does not run the [${type}] processor; it accepts it in pipelines only`, 500));
        };
      },
    };
  }
  return undefined;
}

/** Pipeline.create: description, version, processors (required), on_failure; nothing else. */
export function compilePipeline(id: string, body: unknown, version: EngineVersion): Processor[] {
  const config = new Config(undefined, undefined, clone(body as JsonObject));
  const root = (property: string, reason: string): OsFailure => config.error(property, reason);
  const description = config.values.description;
  if (description !== undefined && description !== null && typeof description !== 'string') throw root('description', `property isn't a string, but of type [${javaType(description)}]`);
  delete config.values.description;
  const versionValue = config.values.version;
  if (versionValue !== undefined && versionValue !== null && !/^-?\d+$/.test(String(versionValue))) throw root('version', `property cannot be converted to an int [${String(versionValue)}]`);
  delete config.values.version;
  const processors = config.values.processors;
  if (processors === undefined || processors === null) throw root('processors', 'required property is missing');
  if (!Array.isArray(processors)) throw root('processors', `property isn't a list, but of type [${javaType(processors)}]`);
  delete config.values.processors;
  const onFailure = config.values.on_failure;
  delete config.values.on_failure;
  const compiled = readProcessors(processors, version);
  const failureHandlers = onFailure === undefined || onFailure === null ? [] : readProcessors(onFailure as unknown[], version);
  const leftover = Object.keys(config.values);
  if (leftover.length > 0) fail(osException('parse_exception', `pipeline [${id}] doesn't support one or more provided configuration parameters ${javaList(leftover)}`, 400));
  if (Array.isArray(onFailure) && failureHandlers.length === 0) fail(osException('parse_exception', `pipeline [${id}] cannot have an empty on_failure option defined`, 400));
  if (failureHandlers.length === 0) return compiled;
  return [{ type: 'compound', ignoreFailure: false, onFailure: failureHandlers, execute: (doc, env) => runProcessors(compiled, doc, env) }];
}

/** readProcessorConfigs: every entry is read; the first failure is thrown (the others are suppressed). */
function readProcessors(configs: unknown[], version: EngineVersion): Processor[] {
  let first: unknown;
  const processors: Processor[] = [];
  for (const entry of configs) {
    if (tokenOf(entry) !== 'START_OBJECT') continue;
    for (const [type, value] of Object.entries(entry as JsonObject)) {
      try {
        processors.push(readProcessor(type, value, version));
      } catch (error) {
        first = first ?? error;
      }
    }
  }
  if (first !== undefined) throw first;
  return processors;
}

function readProcessor(type: string, value: unknown, version: EngineVersion): Processor {
  if (value === null || value === undefined) fail(configurationError(type, undefined, undefined, `the config of processor [${type}] cannot be null`));
  if (tokenOf(value) !== 'START_OBJECT') {
    fail(configurationError(type, undefined, undefined, `property isn't a map, but of type [${javaType(value)}]`));
  }
  const values = clone(value as JsonObject);
  // tag, description and ignore_failure are read without processor metadata (readOptionalStringProperty(null, ...)).
  const generic = new Config(undefined, undefined, values);
  const tag = generic.string('tag', null);
  new Config(undefined, tag, values).string('description', null);
  const ignoreFailure = generic.boolean('ignore_failure', false);
  const config = new Config(type, tag, values);
  const condition = config.take('if');
  const factory = factoryFor(type, version);
  if (!factory) fail(configurationError(type, tag, undefined, `No processor type exists with name [${type}]`));
  const onFailureConfigs = generic.list('on_failure', false);
  const onFailure = onFailureConfigs ? readProcessors(onFailureConfigs, version) : [];
  if (onFailureConfigs && onFailure.length === 0) fail(configurationError(type, tag, 'on_failure', '[on_failure] processors list cannot be empty'));
  try {
    const run = factory.create(config, version);
    const leftover = Object.keys(config.values);
    if (leftover.length > 0) {
      throw new OsFailure(osException('parse_exception', `processor [${type}] doesn't support one or more provided configuration parameters ${javaList(leftover)}`, 400));
    }
    return { type, tag, ignoreFailure, onFailure, condition, execute: run };
  } catch (error) {
    fail(withProcessorMetadata(error, type, tag));
  }
}

/** CompoundProcessor: each processor in turn; on_failure handlers see _ingest.on_failure_* ; ignore_failure swallows. */
function runProcessors(processors: readonly Processor[], doc: IngestDocument, env: IngestEnv): boolean {
  for (const processor of processors) {
    try {
      if (processor.condition !== undefined) {
        throw new OsFailure(javaException('exception', `The emulator does not evaluate Painless conditions ("if" of processor [${processor.type}])`, 500));
      }
      if (!processor.execute(doc, env)) return false;
    } catch (error) {
      if (processor.ignoreFailure) continue;
      if (processor.onFailure.length === 0) throw error;
      const cause = errorOf(error);
      doc.source._ingest = {
        ...((doc.source._ingest as JsonObject | undefined) ?? {}),
        on_failure_message: cause.reason,
        on_failure_processor_type: processor.type,
        ...(processor.tag ? { on_failure_processor_tag: processor.tag } : {}),
      };
      const kept = runProcessors(processor.onFailure, doc, env);
      delete doc.source._ingest;
      if (!kept) return false;
    }
  }
  return true;
}

/** Run the named pipeline on a document; false when a drop processor dropped it. */
export function executePipeline(id: string, doc: IngestDocument, env: IngestEnv): boolean {
  const stored = env.ctx.emulator.cluster.ingestPipelines.get(id);
  if (!stored) fail(illegalArgumentError(`pipeline with id [${id}] does not exist`));
  if (env.pipelineStack.includes(id)) fail(illegalArgumentError(`Cycle detected for pipeline: ${id}`));
  const processors = compilePipeline(id, stored.config, env.ctx.emulator.version);
  env.pipelineStack.push(id);
  try {
    return runProcessors(processors, doc, env);
  } finally {
    env.pipelineStack.pop();
  }
}

// ---- REST API --------------------------------------------------------------------------------------------------

export function putIngestPipeline(ctx: RequestContext): TransportPhase {
  authorizeCollection(ctx, 'aoss:CreateIndex');
  const body = parseJsonBody(ctx.request);
  if (body === undefined) fail(osException('parse_exception', 'request body is required', 400));
  if (tokenOf(body) !== 'START_OBJECT') fail(osException('parse_exception', 'request body is required', 400));
  return () => {
    authorize(ctx, 'cluster:admin/ingest/pipeline/put');
    const id = ctx.params[0];
    compilePipeline(id, body, ctx.emulator.version);
    if (ctx.emulator.serverless && !ctx.emulator.serverless.nextGen && JSON.stringify(body).includes('"ml_inference"')) {
      // "Unsupported Machine Learning APIs and features": the ML inference processor only on NextGen vector collections.
      refuseOnServerless(ctx, 'The ml_inference ingest processor outside a NextGen collection group');
    }
    storePipeline(ctx, 'ingest', id, body);
    return json(200, { acknowledged: true });
  };
}

// ---- document field access (IngestDocument) --------------------------------------------------------------------

function pathOf(path: string): string[] {
  return path.replace(/^_source\./, '').split('.');
}

function getField(doc: IngestDocument, path: string): unknown {
  if (path === '_index') return doc.index;
  if (path === '_id') return doc.id;
  if (path === '_ingest.timestamp') return doc.timestamp;
  let node: unknown = doc.source;
  for (const part of pathOf(path)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) && /^\d+$/.test(part) ? node[Number(part)] : (node as JsonObject)[part];
  }
  return node;
}

function hasField(doc: IngestDocument, path: string): boolean {
  return getField(doc, path) !== undefined;
}

function setField(doc: IngestDocument, path: string, value: unknown): void {
  if (path === '_index') {
    doc.index = String(value);
    return;
  }
  if (path === '_id') {
    doc.id = String(value);
    return;
  }
  const parts = pathOf(path);
  let node = doc.source;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    if (child === undefined || child === null) node[part] = {};
    else if (typeof child !== 'object') fail(illegalArgumentError(`cannot set [${parts[parts.length - 1]}] with parent object of type [${javaType(child)}] as part of path [${path}]`));
    node = node[part] as JsonObject;
  }
  node[parts[parts.length - 1]] = value;
}

function removeField(doc: IngestDocument, path: string): void {
  const parts = pathOf(path);
  let node: unknown = doc.source;
  for (const part of parts.slice(0, -1)) {
    node = (node as JsonObject | undefined)?.[part];
    if (node === null || typeof node !== 'object') fail(illegalArgumentError(`field [${parts[parts.length - 1]}] not present as part of path [${path}]`));
  }
  const last = parts[parts.length - 1];
  if (!(last in (node as JsonObject))) fail(illegalArgumentError(`field [${last}] not present as part of path [${path}]`));
  delete (node as JsonObject)[last];
}

/** Mustache as ingest templates use it: {{field}} and {{{field}}}, missing values render empty. */
function template(text: string, doc: IngestDocument): string {
  return text.replace(/\{\{\{?\s*([^}\s]+)\s*\}?\}\}/g, (_, path: string) => {
    const value = getField(doc, path);
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

function renderValue(value: unknown, doc: IngestDocument): unknown {
  if (typeof value === 'string') return template(value, doc);
  if (Array.isArray(value)) return value.map((item) => renderValue(item, doc));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderValue(item, doc)]));
  return value;
}

// ---- ordinary processors ---------------------------------------------------------------------------------------

function setProcessor(config: Config): Processor['execute'] {
  const field = config.string('field');
  const copyFrom = config.string('copy_from', null);
  const value = copyFrom === undefined ? config.object('value', true) : config.object('value', false);
  if (copyFrom !== undefined && value !== undefined) throw config.error('copy_from', 'cannot set both `copy_from` and `value` in the same processor');
  const override = config.boolean('override', true);
  const ignoreEmpty = config.boolean('ignore_empty_value', false);
  return (doc) => {
    const target = template(field, doc);
    if (!override && hasField(doc, target) && getField(doc, target) !== null) return true;
    const rendered = copyFrom !== undefined ? clone(getField(doc, copyFrom)) : renderValue(value, doc);
    if (ignoreEmpty && (rendered === null || rendered === '')) return true;
    setField(doc, target, rendered);
    return true;
  };
}

function removeProcessor(config: Config): Processor['execute'] {
  const fields = config.stringOrList('field', true)!;
  const ignoreMissing = config.boolean('ignore_missing', false);
  return (doc) => {
    for (const field of fields) {
      const path = template(field, doc);
      if (!hasField(doc, path) && ignoreMissing) continue;
      removeField(doc, path);
    }
    return true;
  };
}

/** rename (field -> target_field, moved) and copy (source_field -> target_field, 2.12+, moved with remove_source). */
function transferProcessor(config: Config, kind: 'rename' | 'copy'): Processor['execute'] {
  const field = config.string(kind === 'rename' ? 'field' : 'source_field');
  const target = config.string('target_field');
  const ignoreMissing = config.boolean('ignore_missing', false);
  const override = config.boolean('override', false);
  const move = kind === 'rename' || config.boolean('remove_source', false);
  const [missing, exists] = kind === 'rename' ? ['field [%s] doesn\'t exist', 'field [%s] already exists'] : ['source field [%s] doesn\'t exist', 'target field [%s] already exists'];
  return (doc) => {
    const from = template(field, doc);
    const to = template(target, doc);
    if (!hasField(doc, from)) {
      if (ignoreMissing) return true;
      fail(illegalArgumentError(missing.replace('%s', from)));
    }
    if (hasField(doc, to) && !override) fail(illegalArgumentError(exists.replace('%s', to)));
    const value = clone(getField(doc, from));
    if (move) removeField(doc, from);
    setField(doc, to, value);
    return true;
  };
}

/** AbstractStringProcessor: field, target_field, ignore_missing; each string (or each in a list) transformed. */
function stringProcessor(config: Config, transform: (value: string) => string): Processor['execute'] {
  const field = config.string('field');
  const target = config.string('target_field', field)!;
  const ignoreMissing = config.boolean('ignore_missing', false);
  return (doc) => {
    const value = getField(doc, field);
    if (value === undefined || value === null) {
      if (ignoreMissing) return true;
      fail(illegalArgumentError(value === null ? `field [${field}] is null, cannot process it.` : `field [${field}] not present as part of path [${field}]`));
    }
    const apply = (item: unknown): string => {
      if (typeof item !== 'string') fail(illegalArgumentError(`field [${field}] of type [${javaType(item)}] cannot be cast to [java.lang.String]`));
      return transform(item);
    };
    setField(doc, target, Array.isArray(value) ? value.map(apply) : apply(value));
    return true;
  };
}

function appendProcessor(config: Config): Processor['execute'] {
  const field = config.string('field');
  const value = config.object('value', true);
  const allowDuplicates = config.boolean('allow_duplicates', true);
  return (doc) => {
    const current = getField(doc, field);
    const list = current === undefined ? [] : Array.isArray(current) ? [...current] : [current];
    for (const item of [renderValue(value, doc)].flat()) {
      if (allowDuplicates || !list.some((existing) => JSON.stringify(existing) === JSON.stringify(item))) list.push(item);
    }
    setField(doc, field, list);
    return true;
  };
}

function convertProcessor(config: Config): Processor['execute'] {
  const field = config.string('field');
  const type = config.string('type');
  const types = ['integer', 'long', 'float', 'double', 'boolean', 'string', 'auto', 'ip'];
  if (!types.includes(type.toLowerCase())) throw config.error('type', `type [${type}] not supported, cannot convert field.`);
  const target = config.string('target_field', field)!;
  const ignoreMissing = config.boolean('ignore_missing', false);
  return (doc) => {
    const value = getField(doc, field);
    if (value === undefined || value === null) {
      if (ignoreMissing) return true;
      fail(illegalArgumentError(`Field [${field}] is null, cannot be converted to type [${type}]`));
    }
    const convert = (item: unknown): unknown => {
      const text = String(item);
      switch (type.toLowerCase()) {
        case 'integer':
        case 'long':
          if (!/^[-+]?\d+$/.test(text)) fail(illegalArgumentError(`unable to convert [${text}] to ${type.toLowerCase()}`));
          return Number(text);
        case 'float':
        case 'double':
          if (!Number.isFinite(Number(text)) || text.trim() === '') fail(illegalArgumentError(`unable to convert [${text}] to ${type.toLowerCase()}`));
          return Number(text);
        case 'boolean':
          if (!['true', 'false'].includes(text.toLowerCase())) fail(illegalArgumentError(`[${text}] is not a boolean value, cannot convert to boolean`));
          return text.toLowerCase() === 'true';
        case 'auto':
          return /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : ['true', 'false'].includes(text.toLowerCase()) ? text.toLowerCase() === 'true' : text;
        default:
          return text;
      }
    };
    setField(doc, target, Array.isArray(value) ? value.map(convert) : convert(value));
    return true;
  };
}

function splitProcessor(config: Config): Processor['execute'] {
  const field = config.string('field');
  const separator = config.string('separator');
  const target = config.string('target_field', field)!;
  const ignoreMissing = config.boolean('ignore_missing', false);
  const preserveTrailing = config.boolean('preserve_trailing', false);
  return (doc) => {
    const value = getField(doc, field);
    if (value === undefined || value === null) {
      if (ignoreMissing) return true;
      fail(illegalArgumentError(`field [${field}] is null, cannot split.`));
    }
    const parts = String(value).split(new RegExp(separator));
    while (!preserveTrailing && parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    setField(doc, target, parts);
    return true;
  };
}

function joinProcessor(config: Config): Processor['execute'] {
  const field = config.string('field');
  const separator = config.string('separator');
  const target = config.string('target_field', field)!;
  return (doc) => {
    const value = getField(doc, field);
    if (!Array.isArray(value)) fail(illegalArgumentError(`field [${field}] of type [${javaType(value)}] cannot be cast to [java.util.List]`));
    setField(doc, target, value.map(String).join(separator));
    return true;
  };
}

/** gsub is one of OpenSearch's AbstractStringProcessors, like lowercase, uppercase and trim. */
function gsubProcessor(config: Config): Processor['execute'] {
  const pattern = new RegExp(config.string('pattern'), 'g');
  const replacement = config.string('replacement').replace(/\$(\d)/g, '$$$1');
  return stringProcessor(config, (value) => value.replace(pattern, replacement));
}

function failProcessor(config: Config): Processor['execute'] {
  const message = config.string('message');
  return (doc) => fail(osException('fail_processor_exception', template(message, doc), 500));
}

function pipelineProcessor(config: Config): Processor['execute'] {
  const name = config.string('name');
  const ignoreMissing = config.boolean('ignore_missing_pipeline', false);
  return (doc, env) => {
    const id = template(name, doc);
    if (!env.ctx.emulator.cluster.ingestPipelines.has(id)) {
      if (ignoreMissing) return true;
      fail(illegalArgumentError(`Pipeline processor configured for non-existent pipeline [${id}]`));
    }
    return executePipeline(id, doc, env);
  };
}

// ---- neural-search processors ----------------------------------------------------------------------------------

interface FieldMapEntry {
  readonly source: string;
  readonly target: string;
}

/** field_map entries: {"a": "a_vector"} and one level of nesting {"a": {"b": "b_vector"}} (a.b -> a.b_vector). */
function fieldMapEntries(fieldMap: JsonObject): FieldMapEntry[] {
  const entries: FieldMapEntry[] = [];
  for (const [source, target] of Object.entries(fieldMap)) {
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      for (const entry of fieldMapEntries(target as JsonObject)) entries.push({ source: `${source}.${entry.source}`, target: `${source}.${entry.target}` });
    } else {
      entries.push({ source, target: String(target) });
    }
  }
  return entries;
}

/** InferenceProcessor's constructor checks and AbstractBatchingProcessor's batch_size (2.16+). */
function inferenceConfig(config: Config, version: EngineVersion): { modelId: string; fieldMap: JsonObject } {
  if (version.atLeast(2, 16)) {
    const batchSize = config.int('batch_size', 1);
    if (batchSize < 1) throw config.error('batch_size', 'batch size must be a positive integer');
  }
  const modelId = config.string('model_id');
  const fieldMap = config.map('field_map', true)!;
  if (modelId.trim() === '') throw new OsFailure(illegalArgumentError('model_id is null or empty, cannot process it'));
  if (Object.keys(fieldMap).length === 0 || Object.entries(fieldMap).some(([key, value]) => key.trim() === '' || value === null || String(value).trim() === '')) {
    throw new OsFailure(illegalArgumentError('Unable to create the processor as field_map has invalid key or value'));
  }
  return { modelId, fieldMap };
}

/** The texts of each mapped field: a string, or a list of strings (each embedded; output as [{"knn": vector}]). */
function textsOf(doc: IngestDocument, entries: readonly FieldMapEntry[]): Array<{ entry: FieldMapEntry; texts: string[]; list: boolean }> {
  const result: Array<{ entry: FieldMapEntry; texts: string[]; list: boolean }> = [];
  for (const entry of entries) {
    const value = getField(doc, entry.source);
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      if (value.trim() === '') continue;
      result.push({ entry, texts: [value], list: false });
    } else if (Array.isArray(value)) {
      if (value.some((item) => typeof item !== 'string')) fail(illegalArgumentError(`list type field [${entry.source}] has non string value, cannot process it`));
      result.push({ entry, texts: value as string[], list: true });
    } else {
      fail(illegalArgumentError(`field [${entry.source}] is neither string nor nested type, cannot process it`));
    }
  }
  return result;
}

/**
 * text_embedding and sparse_encoding: every mapped text of the document in one model call; a list input gives a list
 * of objects ({"knn": vector} / {"sparse_encoding": weights}), as neural-search writes nested outputs.
 */
function fieldInferenceProcessor(
  config: Config, version: EngineVersion, infer: (env: IngestEnv, modelId: string, texts: string[]) => unknown[], listKey: string,
): Processor['execute'] {
  const { modelId, fieldMap } = inferenceConfig(config, version);
  const entries = fieldMapEntries(fieldMap);
  return (doc, env) => {
    const inputs = textsOf(doc, entries);
    if (inputs.length === 0) return true;
    const outputs = infer(env, modelId, inputs.flatMap((input) => input.texts));
    let next = 0;
    for (const input of inputs) {
      const own = outputs.slice(next, next + input.texts.length);
      next += input.texts.length;
      setField(doc, input.entry.target, input.list ? own.map((output) => ({ [listKey]: output })) : own[0]);
    }
    return true;
  };
}

/** TextImageEmbeddingProcessor: one vector in `embedding` from field_map.text and/or field_map.image. */
function textImageEmbeddingProcessor(config: Config, version: EngineVersion): Processor['execute'] {
  if (version.atLeast(2, 16)) config.int('batch_size', 1);
  const modelId = config.string('model_id');
  const embedding = config.string('embedding');
  const fieldMap = config.map('field_map', true)!;
  if (modelId.trim() === '') throw new OsFailure(illegalArgumentError('model_id is null or empty, cannot process it'));
  if (embedding.trim() === '') throw new OsFailure(illegalArgumentError('embedding is null or empty, cannot process it'));
  const keys = Object.keys(fieldMap);
  if (keys.length === 0 || keys.some((key) => key !== 'text' && key !== 'image')) {
    throw new OsFailure(illegalArgumentError('Unable to create the TextImageEmbedding processor with provided field name(s). Following names are supported [image,text]'));
  }
  return (doc, env) => {
    const text = fieldMap.text === undefined ? undefined : getField(doc, String(fieldMap.text));
    const image = fieldMap.image === undefined ? undefined : getField(doc, String(fieldMap.image));
    if ((text === undefined || text === null) && (image === undefined || image === null)) return true;
    for (const [name, value] of [['text', text], ['image', image]] as const) {
      if (value !== undefined && value !== null && typeof value !== 'string') fail(illegalArgumentError(`field [${String(fieldMap[name])}] is not a string, cannot process it`));
    }
    const [vector] = embedTexts(env.ctx, modelId, [[text, image].filter((item) => typeof item === 'string').join(' ')]);
    setField(doc, embedding, vector);
    return true;
  };
}

/** TextChunkingProcessor: fixed_token_length (token_limit 384, overlap_rate 0, standard tokenizer) or delimiter ("\n\n"). */
function textChunkingProcessor(config: Config): Processor['execute'] {
  const fieldMap = config.map('field_map', true)!;
  const algorithm = config.map('algorithm', false) ?? { fixed_token_length: {} };
  config.boolean('ignore_missing', false);
  const names = Object.keys(algorithm);
  if (names.length !== 1) {
    throw new OsFailure(illegalArgumentError('Unable to create text_chunking processor as [algorithm] contains multiple algorithms'));
  }
  const name = names[0];
  const parameters = algorithm[name];
  if (parameters === null || typeof parameters !== 'object' || Array.isArray(parameters)) {
    throw new OsFailure(illegalArgumentError(`Unable to create text_chunking processor as parameters for [${name}] algorithm must be an object`));
  }
  if (!['fixed_token_length', 'delimiter'].includes(name)) {
    throw new OsFailure(illegalArgumentError(`Chunking algorithm [${name}] is not supported. Supported chunking algorithms are [fixed_token_length, delimiter]`));
  }
  const params = parameters as JsonObject;
  const positiveInt = (key: string, fallback: number): number => {
    const value = params[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new OsFailure(illegalArgumentError(`Parameter [${key}] must be of java.lang.Integer type`));
    if (value <= 0) throw new OsFailure(illegalArgumentError(`Parameter [${key}] must be positive.`));
    return value;
  };
  const chunk = name === 'delimiter'
    ? ((): ((text: string) => string[]) => {
      const delimiter = params.delimiter === undefined ? '\n\n' : params.delimiter;
      if (typeof delimiter !== 'string') throw new OsFailure(illegalArgumentError('Parameter [delimiter] must be of java.lang.String type'));
      if (delimiter === '') throw new OsFailure(illegalArgumentError('Parameter [delimiter] should not be empty.'));
      return (text) => {
        const chunks: string[] = [];
        let start = 0;
        for (let at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, start)) {
          chunks.push(text.slice(start, at + delimiter.length));
          start = at + delimiter.length;
        }
        if (start < text.length) chunks.push(text.slice(start));
        return chunks;
      };
    })()
    : ((): ((text: string) => string[]) => {
      const limit = positiveInt('token_limit', 384);
      const overlapRate = params.overlap_rate === undefined ? 0 : Number(params.overlap_rate);
      if (!(overlapRate >= 0 && overlapRate <= 0.5)) throw new OsFailure(illegalArgumentError('Parameter [overlap_rate] must be between 0 and 0.5'));
      const overlap = Math.floor(limit * overlapRate);
      return (text) => {
        const tokens = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
        const chunks: string[] = [];
        for (let start = 0; start < tokens.length; start += limit - overlap) {
          const end = Math.min(start + limit, tokens.length);
          const from = tokens[start].index!;
          const to = end < tokens.length ? tokens[end].index! : text.length;
          chunks.push(text.slice(from, to).trimEnd());
          if (end >= tokens.length) break;
        }
        return chunks;
      };
    })();
  const entries = fieldMapEntries(fieldMap);
  return (doc) => {
    for (const entry of entries) {
      const value = getField(doc, entry.source);
      if (value === undefined || value === null) continue;
      const texts = Array.isArray(value) ? value : [value];
      if (texts.some((item) => typeof item !== 'string')) fail(illegalArgumentError(`field [${entry.source}] is neither string nor nested type, cannot process it`));
      setField(doc, entry.target, (texts as string[]).flatMap(chunk));
    }
    return true;
  };
}

/** ml-commons MLInferenceIngestProcessor (remote models): input_map fields become parameters, output_map reads the answer. */
function mlInferenceProcessor(config: Config): Processor['execute'] {
  const modelId = config.string('model_id');
  const modelConfig = config.map('model_config', false) ?? {};
  const inputMaps = (config.list('input_map', false) ?? []) as JsonObject[];
  const outputMaps = config.list('output_map', false) as JsonObject[] | undefined;
  const maxTasks = config.int('max_prediction_tasks', 10);
  const ignoreMissing = config.boolean('ignore_missing', false);
  const override = config.boolean('override', false);
  const functionName = config.string('function_name', 'REMOTE')!;
  const modelInput = config.string('model_input', null);
  const fullResponsePath = config.boolean('full_response_path', functionName.toLowerCase() !== 'remote');
  if (functionName.toLowerCase() !== 'remote' && modelInput === undefined) {
    throw new OsFailure(illegalArgumentError('Please provide model input when using a local model in ML Inference Processor'));
  }
  if (inputMaps.length > maxTasks) {
    throw new OsFailure(illegalArgumentError(`The number of prediction task setting in this process is ${inputMaps.length}. It exceeds the max_prediction_tasks of ${maxTasks}. Please reduce the size of input_map or increase max_prediction_tasks.`));
  }
  if (outputMaps && outputMaps.length !== inputMaps.length) throw new OsFailure(illegalArgumentError('The length of output_map and the length of input_map do no match.'));
  return (doc, env) => {
    const rounds = Math.max(inputMaps.length, 1);
    for (let round = 0; round < rounds; round += 1) {
      const parameters: JsonObject = Object.fromEntries(Object.entries(modelConfig).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
      const inputMap = inputMaps[round] ?? Object.fromEntries(Object.keys(doc.source).map((key) => [key, key]));
      for (const [modelField, documentField] of Object.entries(inputMap)) {
        const value = getField(doc, String(documentField));
        if (value === undefined) {
          if (ignoreMissing) continue;
          fail(illegalArgumentError(`Cannot find field name defined from input map: ${String(documentField)}`));
        }
        parameters[modelField] = typeof value === 'string' ? value : JSON.stringify(value);
      }
      const output = predictAs(env.ctx, modelId, { parameters });
      const outputMap = outputMaps?.[round];
      if (!outputMap) {
        setField(doc, 'inference_results', output.inference_results.map((result) => ({ output: result.output })));
        continue;
      }
      for (const [documentField, modelField] of Object.entries(outputMap)) {
        if (!override && hasField(doc, documentField)) continue;
        const tensors = output.inference_results[0]?.output ?? [];
        const value = fullResponsePath
          ? readPath(output, String(modelField))
          : tensors.map((tensor) => readPath(tensor.dataAsMap ?? tensor, String(modelField))).find((item) => item !== undefined);
        if (value === undefined) {
          if (ignoreMissing) continue;
          fail(illegalArgumentError(`model inference output cannot find such json path: ${String(modelField)}`));
        }
        setField(doc, documentField, value);
      }
    }
    return true;
  };
}

/** Dot paths and JSONPath ($.a.b[0]) into a model output. */
function readPath(value: unknown, path: string): unknown {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let node: unknown = value;
  for (const step of steps) {
    if (node === null || node === undefined) return undefined;
    const index = /^\[(\d+)\]$/.exec(step) ?? (Array.isArray(node) && /^\d+$/.test(step) ? [step, step] : null);
    node = index ? (node as unknown[])[Number(index[1])] : (node as JsonObject)[step];
  }
  return node;
}
