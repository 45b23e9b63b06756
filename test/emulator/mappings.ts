/**
 * Index mappings: parsing and validating a mapping as OpenSearch's mappers and the k-NN plugin's
 * KNNVectorFieldMapper.TypeParser do (messages quoted from their sources), merging a PUT _mapping into the existing
 * one (ParametrizedFieldMapper.merge: "mapper [f] cannot be changed from type [a] to [b]", "Mapper for [f] conflicts
 * with existing mapper:\n\tCannot update parameter [p] from [x] to [y]"), and parsing documents against it with
 * dynamic mapping (strings become text with a keyword sub-field, numbers long or float).
 *
 * k-NN sources (opensearch-project/k-NN 2.19.0.0 KNNVectorFieldMapper, KNNMethodContext.parse, AbstractKNNLibrary,
 * AbstractKNNMethod, ParameterValidator; older tags for the older wording noted inline).
 */
import { defaultEngine, defaultSpaceType, ENGINES, KnnEngine, maxDimension, methodParameters, methodsOf, SPACE_TYPES, SpaceType, supportedSpaces } from './knn';
import { fail, illegalArgumentError, javaException, javaMapString, OsError, osException } from './os-exception';
import { clone } from './store';
import { EngineVersion } from './version';
import { JsonObject, tokenOf } from './xcontent';

export interface KnnConfig {
  readonly dimension: number;
  readonly dataType: 'float' | 'byte' | 'binary';
  readonly engine: KnnEngine;
  readonly spaceType: SpaceType;
  readonly method: string;
  /** false for a flat field (index.knn false, 2.17+): stored, searchable only by script, not by the knn query. */
  readonly ann: boolean;
}

export interface FieldInfo {
  readonly path: string;
  readonly type: string;
  readonly knn?: KnnConfig;
  /** keyword sub-field paths (title.keyword) and their parent */
  readonly parent?: string;
}

export interface MappingContext {
  readonly version: EngineVersion;
  readonly settings: ReadonlyMap<string, string>;
  /** Serverless vector search collection: lucene and faiss IVF are refused. */
  readonly vectorCollection: boolean;
}

export interface MappingState {
  dynamic: string;
  /** Root keys other than properties/dynamic (_source, _meta, ...), kept for GET _mapping. */
  root: JsonObject;
  /** The properties tree as GET _mapping renders it. */
  properties: JsonObject;
  /** Every leaf and multi-field by full path. */
  fields: Map<string, FieldInfo>;
}

const COMMON = ['index', 'store', 'doc_values', 'boost', 'meta', 'fields', 'copy_to'];
const NUMERIC = [...COMMON, 'coerce', 'null_value', 'ignore_malformed'];
const PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  text: [...COMMON, 'analyzer', 'search_analyzer', 'search_quote_analyzer', 'norms', 'index_options', 'index_prefixes', 'index_phrases',
    'fielddata', 'fielddata_frequency_filter', 'term_vector', 'similarity', 'position_increment_gap', 'eager_global_ordinals'],
  match_only_text: [...COMMON, 'analyzer', 'search_analyzer', 'search_quote_analyzer', 'index_prefixes', 'index_phrases'],
  keyword: [...COMMON, 'ignore_above', 'normalizer', 'null_value', 'similarity', 'eager_global_ordinals', 'split_queries_on_whitespace', 'index_options', 'norms'],
  wildcard: ['ignore_above', 'normalizer', 'null_value', 'doc_values', 'fields', 'copy_to', 'meta'],
  long: NUMERIC,
  integer: NUMERIC,
  short: NUMERIC,
  byte: NUMERIC,
  double: NUMERIC,
  float: NUMERIC,
  half_float: NUMERIC,
  unsigned_long: NUMERIC,
  scaled_float: [...NUMERIC, 'scaling_factor'],
  boolean: [...COMMON, 'null_value'],
  date: [...NUMERIC, 'format', 'locale', 'print_format'],
  date_nanos: [...NUMERIC, 'format', 'locale', 'print_format'],
  binary: ['doc_values', 'store', 'meta'],
  ip: [...COMMON, 'null_value', 'ignore_malformed'],
  geo_point: ['ignore_malformed', 'ignore_z_value', 'null_value', 'meta'],
  rank_feature: ['positive_score_impact', 'meta'],
  rank_features: ['positive_score_impact', 'meta'],
  flat_object: ['meta'],
  alias: ['path'],
  knn_vector: ['store', 'doc_values', 'dimension', 'data_type', 'meta', 'method', 'model_id', 'mode', 'compression_level', 'space_type'],
};
/** Parameters of each type that a mapping update may not change (ParametrizedFieldMapper parameters built not updateable). */
const FIXED: Readonly<Record<string, readonly string[]>> = {
  text: ['analyzer', 'index', 'store', 'index_options', 'term_vector', 'similarity', 'position_increment_gap', 'index_phrases', 'index_prefixes'],
  keyword: ['index', 'store', 'doc_values', 'normalizer', 'null_value', 'similarity', 'index_options'],
  date: ['format', 'locale', 'index', 'store', 'doc_values', 'null_value'],
  scaled_float: ['scaling_factor', 'index', 'store', 'doc_values', 'null_value'],
};
const ROOT_KEYS = ['properties', 'dynamic', '_source', '_meta', '_routing', 'dynamic_templates', 'date_detection', 'numeric_detection', 'dynamic_date_formats', 'enabled'];
const KNN_ORDER = ['type', 'store', 'doc_values', 'dimension', 'data_type', 'meta', 'method', 'model_id', 'mode', 'compression_level', 'space_type'];

export function emptyMapping(): MappingState {
  return { dynamic: 'true', root: {}, properties: {}, fields: new Map() };
}

/**
 * Parse the mapping of a create-index request. Errors come out as OpenSearch reports them there:
 * mapper_parsing_exception "Failed to parse mapping [_doc]: <reason>" caused by the mapper's own exception.
 */
export function parseCreateMapping(body: unknown, ctx: MappingContext): MappingState {
  try {
    return parseMapping(body, ctx, emptyMapping());
  } catch (error) {
    const cause = (error as { osError?: OsError }).osError;
    if (!cause) throw error;
    fail(osException('mapper_parsing_exception', `Failed to parse mapping [_doc]: ${cause.reason}`, 400, undefined, cause));
  }
}

/** PUT <index>/_mapping: parse the update, then merge it field by field; errors are not wrapped. */
export function mergeMapping(current: MappingState, body: unknown, ctx: MappingContext): MappingState {
  try {
    const update = parseMapping(body, ctx, current);
    return update;
  } catch (error) {
    const cause = (error as { osError?: OsError }).osError;
    if (!cause) throw error;
    fail(cause);
  }
}

class MappingError extends Error {
  constructor(readonly osError: OsError) {
    super(osError.reason);
  }
}

function mapperParsing(reason: string): never {
  throw new MappingError(osException('mapper_parsing_exception', reason, 400));
}
function illegal(reason: string): never {
  throw new MappingError(javaException('illegal_argument_exception', reason, 400));
}
function validation(messages: readonly string[]): never {
  throw new MappingError(javaException('validation_exception', `Validation Failed: ${messages.map((m, i) => `${i + 1}: ${m};`).join('')}`, 400));
}

function parseMapping(body: unknown, ctx: MappingContext, base: MappingState): MappingState {
  const state: MappingState = { dynamic: base.dynamic, root: clone(base.root), properties: clone(base.properties), fields: new Map(base.fields) };
  if (body === undefined || body === null) return state;
  if (tokenOf(body) !== 'START_OBJECT') mapperParsing(`Failed to parse mapping: expected an object, got ${tokenOf(body)}`);
  let mapping = body as JsonObject;
  // A typed wrapper {"_doc": {...}} is accepted as the single mapping type.
  if (Object.keys(mapping).length === 1 && mapping._doc && typeof mapping._doc === 'object') mapping = mapping._doc as JsonObject;
  const unsupported = Object.entries(mapping).filter(([key]) => !ROOT_KEYS.includes(key));
  if (unsupported.length > 0) {
    mapperParsing(`Root mapping definition has unsupported parameters:  ${unsupported.map(([key, value]) => `[${key} : ${javaMapString(value)}]`).join(' ')}`);
  }
  if (mapping.dynamic !== undefined) state.dynamic = String(mapping.dynamic);
  for (const [key, value] of Object.entries(mapping)) {
    if (key !== 'properties' && key !== 'dynamic') state.root[key] = clone(value);
  }
  if (mapping.properties !== undefined) {
    if (tokenOf(mapping.properties) !== 'START_OBJECT') mapperParsing('Expected map for property [fields] on field [properties] but got a class java.lang.String');
    mergeProperties(state, state.properties, mapping.properties as JsonObject, '', ctx);
  }
  return state;
}

function mergeProperties(state: MappingState, target: JsonObject, incoming: JsonObject, prefix: string, ctx: MappingContext): void {
  for (const [name, raw] of Object.entries(incoming)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (tokenOf(raw) !== 'START_OBJECT') mapperParsing(`Expected map for property [fields] on field [${name}] but got a class ${javaClass(raw)}`);
    const definition = raw as JsonObject;
    const type = definition.type === undefined ? (definition.properties !== undefined ? 'object' : 'object') : String(definition.type);
    const existing = target[name] as JsonObject | undefined;
    if (type === 'object' || type === 'nested') {
      const existingType = existing ? String(existing.type ?? 'object') : undefined;
      if (existingType && existingType !== type) illegal(`mapper [${path}] cannot be changed from type [${existingType}] to [${type}]`);
      for (const key of Object.keys(definition)) {
        if (!['type', 'properties', 'dynamic', 'enabled', 'include_in_parent', 'include_in_root'].includes(key)) {
          mapperParsing(`unknown parameter [${key}] on mapper [${path}] of type [${type}]`);
        }
      }
      const node: JsonObject = existing ? existing : {};
      if (!existing) {
        if (type === 'nested') node.type = 'nested';
        target[name] = node;
      }
      for (const key of ['dynamic', 'enabled', 'include_in_parent', 'include_in_root']) if (definition[key] !== undefined) node[key] = definition[key];
      node.properties = (node.properties as JsonObject | undefined) ?? {};
      if (definition.properties !== undefined) mergeProperties(state, node.properties as JsonObject, definition.properties as JsonObject, path, ctx);
      continue;
    }
    if (!PARAMETERS[type]) mapperParsing(`No handler for type [${type}] declared on field [${name}]`);
    for (const key of Object.keys(definition)) {
      if (key !== 'type' && !PARAMETERS[type].includes(key)) mapperParsing(`unknown parameter [${key}] on mapper [${name}] of type [${type}]`);
    }
    if (type === 'knn_vector') {
      const knn = parseKnnVector(name, definition, ctx);
      const rendered = renderKnn(definition, knn);
      if (existing) checkKnnMerge(path, existing, state.fields.get(path), knn, rendered);
      target[name] = rendered;
      state.fields.set(path, { path, type, knn });
      continue;
    }
    if (type === 'scaled_float' && definition.scaling_factor === undefined) mapperParsing('Field [scaling_factor] is required');
    const rendered: JsonObject = { type, ...Object.fromEntries(Object.entries(definition).filter(([key]) => key !== 'type')) };
    if (existing) {
      const existingType = String(existing.type ?? 'object');
      if (existingType !== type) illegal(`mapper [${path}] cannot be changed from type [${existingType}] to [${type}]`);
      const conflicts = (FIXED[type] ?? []).filter((key) => JSON.stringify(existing[key] ?? null) !== JSON.stringify(definition[key] ?? null))
        .map((key) => `Cannot update parameter [${key}] from [${String(existing[key] ?? defaultParameter(type, key))}] to [${String(definition[key] ?? defaultParameter(type, key))}]`);
      if (conflicts.length > 0) illegal(`Mapper for [${path}] conflicts with existing mapper:\n\t${conflicts.join('\n\t')}`);
      const subFields = { ...(existing.fields as JsonObject ?? {}), ...(rendered.fields as JsonObject ?? {}) };
      const fields = existing.fields || rendered.fields ? { fields: subFields } : {};
      target[name] = { ...existing, ...rendered, ...fields };
    } else {
      target[name] = rendered;
    }
    state.fields.set(path, { path, type });
    for (const [sub, subDefinition] of Object.entries(((target[name] as JsonObject).fields ?? {}) as JsonObject)) {
      const subType = String((subDefinition as JsonObject).type ?? 'object');
      if (!PARAMETERS[subType]) mapperParsing(`No handler for type [${subType}] declared on field [${sub}]`);
      state.fields.set(`${path}.${sub}`, { path: `${path}.${sub}`, type: subType, parent: path });
    }
  }
}

function defaultParameter(type: string, key: string): string {
  if (key === 'analyzer') return 'default';
  if (key === 'index' || key === 'doc_values') return 'true';
  if (key === 'store') return 'false';
  return type === 'keyword' && key === 'normalizer' ? 'null' : 'null';
}

function javaClass(value: unknown): string {
  switch (typeof value) {
    case 'string': return 'java.lang.String';
    case 'number': return Number.isInteger(value) ? 'java.lang.Integer' : 'java.lang.Double';
    case 'boolean': return 'java.lang.Boolean';
    default: return Array.isArray(value) ? 'java.util.ArrayList' : 'java.lang.Object';
  }
}

/** KNNVectorFieldMapper.TypeParser.parse for one field, in its order of checks. */
function parseKnnVector(name: string, definition: JsonObject, ctx: MappingContext): KnnConfig {
  const { version } = ctx;
  if (!version.atLeast(2, 17)) {
    for (const key of ['mode', 'compression_level', 'space_type']) {
      if (definition[key] !== undefined) mapperParsing(`unknown parameter [${key}] on mapper [${name}] of type [knn_vector]`);
    }
  }
  let dimension: number | undefined;
  if (definition.dimension !== undefined) {
    if (definition.dimension === null) illegal('Dimension cannot be null');
    const value = Number(definition.dimension);
    if (typeof definition.dimension === 'boolean' || !Number.isFinite(value) || !Number.isInteger(value)) {
      illegal(`Unable to parse [dimension] from provided value [${javaMapString(definition.dimension)}] for vector [${name}]`);
    }
    if (value <= 0) illegal(`Dimension value must be greater than 0 for vector: ${name}`);
    dimension = value;
  }
  const dataType = parseDataType(definition.data_type, version);
  const method = definition.method === undefined ? undefined : parseMethodContext(definition.method);
  checkRestricted('mode', definition.mode, ['in_memory', 'on_disk']);
  checkRestricted('compression_level', definition.compression_level, ['1x', '2x', '4x', '8x', '16x', '32x']);
  let topLevelSpace: SpaceType | undefined;
  if (definition.space_type !== undefined) {
    topLevelSpace = SPACE_TYPES.find((space) => space === definition.space_type);
    if (!topLevelSpace) illegal(`Unable to find space: ${String(definition.space_type)}`);
  }
  if (definition.model_id !== undefined) {
    if (method) illegal(`Method and model can not be both specified in the mapping: ${name}`);
    // Trained k-NN models (the k-NN _train API) are not part of the emulator.
    illegal(`The emulator does not support knn_vector fields built from a trained k-NN model (model_id [${String(definition.model_id)}]) on field [${name}]`);
  }
  const knnEnabled = ctx.settings.get('index.knn') === 'true';
  const modeOrCompression = definition.mode !== undefined || definition.compression_level !== undefined;
  if (!knnEnabled && version.atLeast(2, 17)) {
    if (method) illegal('Cannot set modelId or method parameters when index.knn setting is false');
    if (dimension === undefined) illegal(`Dimension value missing for vector: ${name}`);
    if (modeOrCompression) mapperParsing(`Compression and mode can not be specified in a flat mapping configuration for field: ${name}`);
    return { dimension, dataType, engine: defaultEngine(version), spaceType: topLevelSpace ?? defaultSpaceType(dataType), method: 'hnsw', ann: false };
  }
  if (modeOrCompression && dataType !== 'float') mapperParsing(`Compression and mode cannot be used for non-float32 data type for field ${name}`);
  if (topLevelSpace && method?.spaceType && topLevelSpace !== method.spaceType) {
    mapperParsing('Space type in "method" and top level space type should be same or one of them should be defined');
  }
  const legacySpace = ctx.settings.get('index.knn.space_type') as SpaceType | undefined;
  const spaceType = method?.spaceType ?? topLevelSpace ?? legacySpace ?? defaultSpaceType(dataType);
  const engine = method?.engine ?? resolveEngine(version, definition.mode, definition.compression_level);
  if (engine === 'nmslib' && version.atLeast(3, 0)) {
    illegal('nmslib engine is deprecated in OpenSearch  and cannot be used for new index creation in OpenSearch from  3.0.0.');
  }
  const methodName = method?.name ?? 'hnsw';
  if (!methodsOf(engine).includes(methodName)) illegal(`Invalid method name: ${methodName}`);
  if (methodName === 'ivf') validation(['"method" requires training.']);
  if (ctx.vectorCollection && engine === 'lucene') {
    // "Vector search collections don't support the Lucene engine" (Working with vector search collections).
    illegal(`Vector search collections don't support the Lucene engine (field [${name}])`);
  }
  if (!version.atLeast(2, 17) && !dataTypeSupported(engine, dataType, version)) {
    // 2.16 KNNVectorFieldMapperUtil.validateVectorDataType
    illegal(`[data_type] field with value [${dataType}] is only supported for [${dataType === 'byte' ? 'lucene' : 'faiss'}] engine`);
  }
  const errors: string[] = [];
  const max = maxDimension(engine, version);
  if (dimension !== undefined && dimension > max) {
    if (!version.atLeast(2, 17)) illegal(`Dimension value cannot be greater than ${max} for vector: ${name}`);
    errors.push(`Dimension value cannot be greater than ${max} for vector with engine: ${engine}`);
  }
  if (dataType === 'binary' && dimension !== undefined && dimension % 8 !== 0) errors.push('Dimension should be multiply of 8 for binary vector data type');
  if (!supportedSpaces(engine, version).includes(spaceType)) {
    errors.push(version.atLeast(2, 17)
      ? `"${methodName}" with "${engine}" configuration does not support space type: "${spaceType}".`
      : `"${methodName}" configuration does not support space type: "${spaceType}".`);
  }
  if (!dataTypeSupported(engine, dataType, version)) errors.push(`Method "${methodName}" is not supported for vector data type "${dataType}".`);
  for (const [key, value] of Object.entries(method?.parameters ?? {})) {
    if (!methodParameters(engine, methodName).includes(key)) {
      errors.push(`Unknown parameter '${key}' found`);
    } else if (key !== 'encoder') {
      if (typeof value !== 'number' || !Number.isInteger(value)) errors.push(`value is not an instance of Integer for Integer parameter [${key}].`);
      else if (value <= 0) errors.push(`parameter validation failed for Integer parameter [${key}].`);
    }
  }
  if (errors.length > 0) validation(errors);
  if (dimension === undefined) illegal(`Dimension value missing for vector: ${name}`);
  return { dimension, dataType, engine, spaceType, method: methodName, ann: knnEnabled };
}

function parseDataType(value: unknown, version: EngineVersion): KnnConfig['dataType'] {
  if (value === undefined) return 'float';
  const allowed = ['float', ...(version.atLeast(2, 9) ? ['byte'] : []), ...(version.atLeast(2, 16) ? ['binary'] : [])];
  if (typeof value !== 'string' || !allowed.includes(value)) {
    illegal(`Invalid value provided for [data_type] field. Supported values are [${allowed.join(', ')}]`);
  }
  return value as KnnConfig['dataType'];
}

function dataTypeSupported(engine: KnnEngine, dataType: string, version: EngineVersion): boolean {
  if (dataType === 'float') return true;
  if (dataType === 'byte') return engine === 'lucene' || (engine === 'faiss' && version.atLeast(2, 17));
  return engine === 'faiss' || (engine === 'lucene' && version.atLeast(2, 19));
}

function checkRestricted(key: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !allowed.includes(value)) {
    mapperParsing(`Unknown value [${String(value)}] for field [${key}] - accepted values are [${allowed.join(', ')}]`);
  }
}

/** 2.19 EngineResolver: the user's engine, else faiss from 2.19 (4x compression: lucene), else nmslib/faiss by version. */
function resolveEngine(version: EngineVersion, mode: unknown, compression: unknown): KnnEngine {
  if (mode === undefined && compression === undefined) return defaultEngine(version);
  if (compression === '4x') return 'lucene';
  if (compression === undefined || compression === '1x') return version.atLeast(2, 19) || mode === 'on_disk' ? 'faiss' : 'nmslib';
  return 'faiss';
}

interface MethodContext {
  readonly name: string;
  readonly engine?: KnnEngine;
  readonly spaceType?: SpaceType;
  readonly parameters: JsonObject;
}

/** KNNMethodContext.parse: MapperParsingException for each malformed piece. */
function parseMethodContext(value: unknown): MethodContext {
  if (tokenOf(value) !== 'START_OBJECT') mapperParsing('Unable to parse mapping into KNNMethodContext. Object not of type "Map"');
  let name = '';
  let engine: KnnEngine | undefined;
  let spaceType: SpaceType | undefined;
  let parameters: JsonObject = {};
  for (const [key, item] of Object.entries(value as JsonObject)) {
    if (key === 'engine') {
      if (item !== null && typeof item !== 'string') mapperParsing('"engine" must be a string');
      if (item !== null) {
        engine = ENGINES.find((candidate) => candidate === item);
        if (!engine) mapperParsing(`Invalid engine: ${String(item)}`);
      }
    } else if (key === 'space_type') {
      if (item !== null && typeof item !== 'string') mapperParsing('"space_type" must be a string');
      spaceType = SPACE_TYPES.find((candidate) => candidate === item);
      if (!spaceType) mapperParsing(`Invalid space_type: ${String(item)}`);
    } else if (key === 'name') {
      if (typeof item !== 'string') mapperParsing('namehas to be a string');
      name = item;
    } else if (key === 'parameters') {
      if (item === null) continue;
      if (tokenOf(item) !== 'START_OBJECT') mapperParsing('Unable to parse parameters for main method component');
      parameters = item as JsonObject;
    } else {
      mapperParsing(`Invalid parameter: ${key}`);
    }
  }
  if (name === '') mapperParsing('name needs to be set');
  return { name, engine, spaceType, parameters };
}

/** GET _mapping shows a knn_vector field with its method resolved to engine, space_type, name, parameters. */
function renderKnn(definition: JsonObject, knn: KnnConfig): JsonObject {
  const rendered: JsonObject = {};
  for (const key of KNN_ORDER) {
    if (key === 'type') {rendered.type = 'knn_vector';} else if (key === 'method' && definition.method !== undefined) {
      const method = definition.method as JsonObject;
      const parameters = clone(method.parameters ?? {});
      rendered.method = { engine: method.engine ?? knn.engine, space_type: knn.spaceType, name: method.name, parameters };
    } else if (definition[key] !== undefined) {rendered[key] = clone(definition[key]);}
  }
  return rendered;
}

/** Which k-NN mapper class builds the field: the merge refuses a change of class before comparing parameters. */
function mapperClass(knn: KnnConfig | undefined): string {
  if (!knn) return 'none';
  if (!knn.ann) return 'flat';
  return knn.engine === 'lucene' ? 'lucene' : 'method';
}

function checkKnnMerge(path: string, existing: JsonObject, existingInfo: FieldInfo | undefined, incoming: KnnConfig, rendered: JsonObject): void {
  const existingType = String(existing.type ?? 'object');
  if (existingType !== 'knn_vector') illegal(`mapper [${path}] cannot be changed from type [${existingType}] to [knn_vector]`);
  const before = existingInfo?.knn;
  if (mapperClass(before) !== mapperClass(incoming)) illegal(`mapper [${path}] cannot be changed from type [knn_vector] to [knn_vector]`);
  const conflicts: string[] = [];
  if (before && before.dimension !== incoming.dimension) conflicts.push(`Cannot update parameter [dimension] from [${before.dimension}] to [${incoming.dimension}]`);
  if (before && before.dataType !== incoming.dataType) conflicts.push(`Cannot update parameter [data_type] from [${before.dataType}] to [${incoming.dataType}]`);
  const methodOf = (field: JsonObject): string => JSON.stringify(field.method ?? null);
  if (methodOf(existing) !== methodOf(rendered)) {
    const name = (field: JsonObject): string => String((field.method as JsonObject | undefined)?.name ?? 'null');
    conflicts.push(`Cannot update parameter [method] from [${name(existing)}] to [${name(rendered)}]`);
  }
  if (conflicts.length > 0) illegal(`Mapper for [${path}] conflicts with existing mapper:\n\t${conflicts.join('\n\t')}`);
}

/** The mapping as GET <index>/_mapping shows it. */
export function renderMapping(state: MappingState): JsonObject {
  return {
    ...(state.dynamic !== 'true' ? { dynamic: state.dynamic } : {}),
    ...clone(state.root),
    ...(Object.keys(state.properties).length > 0 ? { properties: clone(state.properties) } : {}),
  };
}

/** A document that failed to parse against the mapping. */
export class DocumentParseError extends Error {
  constructor(readonly osError: OsError) {
    super(osError.reason);
  }
}

/**
 * Check a document against the mapping and add dynamic fields (returns the new mapping when it grew).
 * Errors: mapper_parsing_exception "failed to parse field [f] of type [t] in document with id 'id'. Preview of
 * field's value: 'v'" caused by the mapper's exception (FieldMapper.parse); strict_dynamic_mapping_exception.
 */
export function parseDocument(state: MappingState, source: JsonObject, id: string): MappingState | undefined {
  let grown: MappingState | undefined;
  const visit = (value: unknown, path: string, properties: JsonObject, dynamic: string): void => {
    const name = path.slice(path.lastIndexOf('.') + 1);
    const field = state.fields.get(path) ?? grown?.fields.get(path);
    const mapped = (properties[name] as JsonObject | undefined);
    if (field) {
      checkValue(field, value, id);
      return;
    }
    if (mapped && (mapped.type === undefined || mapped.type === 'object' || mapped.type === 'nested')) {
      const children = Array.isArray(value) ? value : [value];
      for (const child of children) {
        if (child === null) continue;
        if (tokenOf(child) !== 'START_OBJECT') {
          throw new DocumentParseError(osException('mapper_parsing_exception',
            `object mapping for [${path}] tried to parse field [${name}] as object, but found a concrete value`, 400));
        }
        const childDynamic = mapped.dynamic === undefined ? dynamic : String(mapped.dynamic);
        for (const [key, item] of Object.entries(child as JsonObject)) {
          visit(item, `${path}.${key}`, (mapped.properties ?? {}) as JsonObject, childDynamic);
        }
      }
      return;
    }
    if (value === null || (Array.isArray(value) && value.every((item) => item === null))) return;
    if (dynamic === 'strict') {
      const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '_doc';
      throw new DocumentParseError(osException('strict_dynamic_mapping_exception',
        `mapping set to strict, dynamic introduction of [${name}] within [${parent}] is not allowed`, 400));
    }
    if (dynamic === 'false') return;
    grown = grown ?? { dynamic: state.dynamic, root: clone(state.root), properties: clone(state.properties), fields: new Map(state.fields) };
    addDynamic(grown, path, value);
  };
  for (const [key, value] of Object.entries(source)) visit(value, key, state.properties, state.dynamic);
  return grown;
}

function addDynamic(state: MappingState, path: string, value: unknown): void {
  const sample = Array.isArray(value) ? value.find((item) => item !== null) : value;
  const parts = path.split('.');
  let node = state.properties;
  for (const part of parts.slice(0, -1)) {
    const child = (node[part] as JsonObject | undefined) ?? { properties: {} };
    node[part] = child;
    child.properties = (child.properties as JsonObject | undefined) ?? {};
    node = child.properties as JsonObject;
  }
  const name = parts[parts.length - 1];
  if (sample !== null && typeof sample === 'object') {
    node[name] = { properties: {} };
    for (const [key, item] of Object.entries(sample as JsonObject)) addDynamic(state, `${path}.${key}`, item);
    return;
  }
  if (typeof sample === 'string') {
    if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(sample)) {
      node[name] = { type: 'date' };
      state.fields.set(path, { path, type: 'date' });
      return;
    }
    node[name] = { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } };
    state.fields.set(path, { path, type: 'text' });
    state.fields.set(`${path}.keyword`, { path: `${path}.keyword`, type: 'keyword', parent: path });
    return;
  }
  const type = typeof sample === 'boolean' ? 'boolean' : Number.isInteger(sample) ? 'long' : 'float';
  node[name] = { type };
  state.fields.set(path, { path, type });
}

function parseFailure(field: FieldInfo, id: string, preview: string, cause: OsError): never {
  throw new DocumentParseError(osException('mapper_parsing_exception',
    `failed to parse field [${field.path}] of type [${field.type}] in document with id '${id}'. Preview of field's value: '${preview}'`, 400, undefined, cause));
}

function checkValue(field: FieldInfo, value: unknown, id: string): void {
  if (value === null) return;
  if (field.type === 'knn_vector') return checkVector(field, value, id);
  if (field.type === 'rank_features') {
    if (tokenOf(value) !== 'START_OBJECT' || Object.values(value as JsonObject).some((weight) => typeof weight !== 'number')) {
      parseFailure(field, id, javaMapString(value), javaException('illegal_argument_exception', `[rank_features] fields take hashes that map a feature to a strictly positive float, but got unexpected token ${tokenOf(value)}`));
    }
    return;
  }
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item === null) continue;
    if (item !== null && typeof item === 'object') {
      if (['text', 'keyword', 'match_only_text', 'wildcard'].includes(field.type)) {
        parseFailure(field, id, javaMapString(item), javaException('illegal_state_exception', `Can't get text on a ${tokenOf(item)}`, 500));
      }
      if (field.type === 'flat_object' || field.type === 'geo_point') continue;
      parseFailure(field, id, javaMapString(item), javaException('illegal_argument_exception', `Current token (${tokenOf(item)}) not numeric, can not use numeric value accessors`));
    }
    if (['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'unsigned_long'].includes(field.type)) {
      const number = typeof item === 'number' ? item : typeof item === 'string' && item.trim() !== '' ? Number(item) : NaN;
      if (!Number.isFinite(number)) parseFailure(field, id, String(item), javaException('number_format_exception', `For input string: "${String(item)}"`, 400));
    }
    if (field.type === 'boolean' && !(item === true || item === false || item === 'true' || item === 'false' || item === '')) {
      parseFailure(field, id, String(item), illegalArgumentError(`Failed to parse value [${String(item)}] as only [true] or [false] are allowed.`));
    }
  }
}

/** KNNVectorFieldMapper.parseCreateField: numbers only, the mapped dimension, byte range, no zero vector for cosine. */
function checkVector(field: FieldInfo, value: unknown, id: string): void {
  const knn = field.knn!;
  const vector = Array.isArray(value) ? value : [value];
  if (vector.some((item) => typeof item !== 'number')) {
    const bad = vector.find((item) => typeof item !== 'number');
    parseFailure(field, id, javaMapString(bad), javaException('illegal_argument_exception', `Current token (${tokenOf(bad)}) not numeric, can not use numeric value accessors`));
  }
  const expected = knn.dataType === 'binary' ? knn.dimension / 8 : knn.dimension;
  if (vector.length !== expected) {
    parseFailure(field, id, Array.isArray(value) ? 'null' : String(value),
      illegalArgumentError(`Vector dimension mismatch. Expected: ${expected}, Given: ${vector.length}`));
  }
  if (knn.dataType === 'byte' && vector.some((item) => !Number.isInteger(item) || (item as number) < -128 || (item as number) > 127)) {
    const bad = vector.find((item) => !Number.isInteger(item) || (item as number) < -128 || (item as number) > 127);
    parseFailure(field, id, 'null', illegalArgumentError('[data_type] field was set as [byte] in index mapping. But, KNN vector values are floats instead of byte integers'
      + `${Number.isInteger(bad) ? ` and value ${String(bad)} is out of range` : ''}`));
  }
  if (knn.spaceType === 'cosinesimil' && vector.every((item) => item === 0)) {
    parseFailure(field, id, 'null', illegalArgumentError('zero vector is not supported when space type is [cosinesimil]'));
  }
}
