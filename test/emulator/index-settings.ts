/**
 * Index settings: the ones a vector-search index uses, whether they can change on an open index, how values are
 * validated, and OpenSearch's messages (AbstractScopedSettings.validate, Setting.parseInt/parseBoolean/parseTimeValue,
 * MetadataUpdateSettingsService: "Can't update non dynamic settings [..] for open indices [..]").
 * index.knn is a static k-NN setting (k-NN KNNSettings; its own REST test expects the non-dynamic refusal).
 */
/* eslint-disable no-bitwise -- hashing and bit counting, as Java and Lucene do them */
import { fail, illegalArgumentError } from './os-exception';
import { EngineVersion } from './version';

type Validator = (value: string, key: string) => void;

interface SettingDef {
  readonly dynamic: boolean;
  readonly validate: Validator;
  readonly since?: readonly [number, number];
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER): Validator => (value, key) => {
  if (!/^-?\d+$/.test(value.trim())) fail(illegalArgumentError(`Failed to parse value [${value}] for setting [${key}]`));
  const number = Number(value);
  if (number < min) fail(illegalArgumentError(`Failed to parse value [${value}] for setting [${key}] must be >= ${min}`));
  if (number > max) fail(illegalArgumentError(`Failed to parse value [${value}] for setting [${key}] must be <= ${max}`));
};
const bool: Validator = (value) => {
  if (value !== 'true' && value !== 'false') fail(illegalArgumentError(`Failed to parse value [${value}] as only [true] or [false] are allowed.`));
};
const time: Validator = (value, key) => {
  if (value === '-1' || value === '0' || /^\d+(nanos|micros|ms|s|m|h|d)$/.test(value.trim())) return;
  fail(illegalArgumentError(`failed to parse setting [${key}] with value [${value}] as a time value: unit is missing or unrecognized`));
};
const text: Validator = () => undefined;
const oneOf = (...values: string[]): Validator => (value, key) => {
  if (!values.includes(value)) fail(illegalArgumentError(`unknown value for [${key.replace(/^index\./, '')}] must be one of [${values.join(', ')}] but was: ${value}`));
};

const SETTINGS: Readonly<Record<string, SettingDef>> = {
  'index.number_of_shards': { dynamic: false, validate: int(1, 1024) },
  'index.number_of_routing_shards': { dynamic: false, validate: int(1, 1024) },
  'index.number_of_replicas': { dynamic: true, validate: int(0) },
  'index.auto_expand_replicas': { dynamic: true, validate: text },
  'index.refresh_interval': { dynamic: true, validate: time },
  'index.max_result_window': { dynamic: true, validate: int(1) },
  'index.mapping.total_fields.limit': { dynamic: true, validate: int(0) },
  'index.hidden': { dynamic: true, validate: bool },
  'index.codec': { dynamic: false, validate: oneOf('default', 'best_compression', 'lucene_default', 'zstd', 'zstd_no_dict') },
  'index.default_pipeline': { dynamic: true, validate: text },
  'index.final_pipeline': { dynamic: true, validate: text },
  // IndexSettings.DEFAULT_SEARCH_PIPELINE, with search pipelines (2.9 on the managed service).
  'index.search.default_pipeline': { dynamic: true, validate: text, since: [2, 9] },
  'index.knn': { dynamic: false, validate: bool },
  'index.knn.algo_param.ef_search': { dynamic: true, validate: int(2) },
  'index.knn.algo_param.ef_construction': { dynamic: false, validate: int(2) },
  'index.knn.algo_param.m': { dynamic: false, validate: int(2) },
  'index.knn.space_type': { dynamic: false, validate: oneOf('l2', 'l1', 'linf', 'cosinesimil', 'innerproduct', 'hamming') },
};

/** Settings the service sets itself; creation refuses them like any private setting. */
export const INTERNAL_SETTINGS = ['index.creation_date', 'index.uuid', 'index.version.created', 'index.provided_name'];

/** Flatten a settings object ({index:{knn:true}}, {"index.knn":true}, {knn:true}) to index.* keys with string values (null kept). */
export function flattenSettings(value: unknown, prefix = ''): Map<string, string | null> {
  const flat = new Map<string, string | null>();
  const visit = (item: unknown, path: string): void => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      for (const [key, child] of Object.entries(item as Record<string, unknown>)) visit(child, path ? `${path}.${key}` : key);
      return;
    }
    const key = path.startsWith('index.') ? path : `index.${path}`;
    flat.set(key, item === null ? null : Array.isArray(item) ? JSON.stringify(item) : String(item));
  };
  visit(value, prefix);
  return flat;
}

function isAnalysis(key: string): boolean {
  return key.startsWith('index.analysis.') || key.startsWith('index.similarity.');
}

/** IndexScopedSettings.validate: each key must be known in this version and its value valid. */
export function validateSettings(settings: Map<string, string | null>, version: EngineVersion): void {
  for (const [key, value] of settings) {
    const def = SETTINGS[key];
    if (!def && !isAnalysis(key)) {
      fail(illegalArgumentError(unknownSettingMessage(key, version)));
    }
    if (def && def.since && !version.atLeast(def.since[0], def.since[1])) fail(illegalArgumentError(unknownSettingMessage(key, version)));
    if (def && value !== null) def.validate(value, key);
  }
}

export function isDynamicSetting(key: string): boolean {
  return SETTINGS[key]?.dynamic ?? false;
}

/** "unknown setting [x] did you mean [y]?" when a known key is close enough (Lucene LevenshteinDistance > 0.7). */
function unknownSettingMessage(key: string, version: EngineVersion): string {
  const candidates = Object.entries(SETTINGS)
    .filter(([, def]) => !def.since || version.atLeast(def.since[0], def.since[1]))
    .map(([name]) => [similarity(key, name), name] as const)
    .filter(([score]) => score > 0.7)
    .sort((a, b) => b[0] - a[0] || a[1].localeCompare(b[1]))
    .map(([, name]) => name);
  if (candidates.length === 1) return `unknown setting [${key}] did you mean [${candidates[0]}]?`;
  if (candidates.length > 1) return `unknown setting [${key}] did you mean any of [${candidates.join(', ')}]?`;
  return `unknown setting [${key}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings`;
}

function similarity(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0][j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return 1 - d[a.length][b.length] / Math.max(a.length, b.length);
}

/** GET _settings renders index.* keys nested ({"index":{"knn":"true"}}) unless flat_settings=true. */
export function renderSettings(settings: ReadonlyMap<string, string>, flat: boolean): Record<string, unknown> {
  const sorted = [...settings.entries()].sort(([a], [b]) => a.localeCompare(b));
  if (flat) return Object.fromEntries(sorted);
  const root: Record<string, unknown> = {};
  for (const [key, value] of sorted) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

/** Version.id as index.version.created shows it: major*1000000 + minor*10000 + revision*100 + 99, XOR 0x08000000. */
export function versionId(version: EngineVersion): string {
  return String(((version.major * 1000000 + version.minor * 10000 + version.patch * 100 + 99) ^ 0x08000000) >>> 0);
}
